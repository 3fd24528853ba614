/**
 * `chute topic create NAME`
 */
import type { Command } from 'commander';
import { clientFor, globalOptions } from './context.js';
import { printJson, writeOut } from './output.js';

/** Adds `create` to the `topic` command. */
export function registerTopicCreateCommand(topic: Command): void {
  topic
    .command('create')
    .description('create a topic (creating it again changes nothing)')
    .argument('<name>', 'topic name')
    .action(async (name: string, _opts: unknown, command: Command) => {
      const global = globalOptions(command);
      const info = await clientFor(global).topic(name).create();
      const subs = info.subscriptions.length;
      await (global.json ? printJson(info) : writeOut(`topic ${info.name} (${subs} subscription${subs === 1 ? '' : 's'})\n`));
    });
}
