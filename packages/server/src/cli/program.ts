/**
 * The `chute` command tree: global options and every subcommand, one file each.
 */
import { readFileSync } from 'node:fs';
import { defaultUrl } from '@chutemq/client';
import { Command, Option } from 'commander';
import { registerDlqRedriveCommand } from './dlq-redrive.js';
import { urlOption } from './options.js';
import { registerQueueCreateCommand } from './queue-create.js';
import { registerQueueDeleteCommand } from './queue-delete.js';
import { registerQueueListCommand } from './queue-list.js';
import { registerQueuePurgeCommand } from './queue-purge.js';
import { registerQueueStatsCommand } from './queue-stats.js';
import { registerReceiveCommand } from './receive.js';
import { registerSendCommand } from './send.js';
import { registerTopicCreateCommand } from './topic-create.js';
import { registerTopicPublishCommand } from './topic-publish.js';
import { registerTopicSubscribeCommand } from './topic-subscribe.js';

/** The package version, read from package.json (one level above both src/ and dist/). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/** Global options that take a value, so the scan below can skip their values. */
const globalOptionsWithValue = new Set(['--url', '--token']);

/**
 * True when the command line may need `serve`: it names it, asks for help, or names no command
 * (which prints help). The server pulls in the storage engine and the HTTP framework; the
 * client commands load in a fraction of the time without them.
 */
function mayNeedServe(args: string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (globalOptionsWithValue.has(arg)) i++;
    else if (!arg.startsWith('-')) return arg === 'serve' || arg === 'help';
  }
  return true;
}

/**
 * Builds the program for the arguments `args` (without node and the script). Commander's own
 * exits are turned into exceptions (exitOverride) so main.ts decides every exit code in one place.
 */
export async function buildProgram(args: string[]): Promise<Command> {
  const program = new Command('chute')
    .description('Chute: a durable message broker. Start one with `chute serve`, then send and receive.')
    .version(packageVersion(), '-V, --version')
    .addOption(new Option('--url <url>', 'broker URL').env('CHUTE_URL').default(defaultUrl).argParser(urlOption))
    .addOption(new Option('--token <token>', 'access token').env('CHUTE_TOKEN'))
    .option('--json', 'print JSON for scripts instead of tables')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');

  if (mayNeedServe(args)) {
    const { registerServeCommand } = await import('./serve.js');
    await registerServeCommand(program);
  }

  const queue = program.command('queue').description('create, list, inspect, purge and delete queues');
  registerQueueCreateCommand(queue);
  registerQueueListCommand(queue);
  registerQueueStatsCommand(queue);
  registerQueuePurgeCommand(queue);
  registerQueueDeleteCommand(queue);

  registerSendCommand(program);
  registerReceiveCommand(program);

  const topic = program.command('topic').description('create topics, subscribe queues, publish');
  registerTopicCreateCommand(topic);
  registerTopicSubscribeCommand(topic);
  registerTopicPublishCommand(topic);

  const dlq = program.command('dlq').description('dead-letter queues');
  registerDlqRedriveCommand(dlq);

  return program;
}
