/**
 * `chute queue delete NAME`
 */
import type { Command } from 'commander';
import { clientFor, globalOptions } from './context.js';
import { printJson, writeOut } from './output.js';

/** Adds `delete` to the `queue` command. */
export function registerQueueDeleteCommand(queue: Command): void {
  queue
    .command('delete')
    .description('delete a queue and its messages')
    .argument('<name>', 'queue name')
    .action(async (name: string, _opts: unknown, command: Command) => {
      const global = globalOptions(command);
      await clientFor(global).queue(name).delete();
      await (global.json ? printJson({ deleted: name }) : writeOut(`deleted queue ${name}\n`));
    });
}
