/**
 * `chute queue purge NAME`
 */
import type { Command } from 'commander';
import { clientFor, globalOptions } from './context.js';
import { printJson, writeOut } from './output.js';

/** Adds `purge` to the `queue` command. */
export function registerQueuePurgeCommand(queue: Command): void {
  queue
    .command('purge')
    .description('remove every message of a queue (ready, scheduled and leased)')
    .argument('<name>', 'queue name')
    .action(async (name: string, _opts: unknown, command: Command) => {
      const global = globalOptions(command);
      const purged = await clientFor(global).queue(name).purge();
      await (global.json ? printJson({ purged }) : writeOut(`purged ${purged} message${purged === 1 ? '' : 's'} from ${name}\n`));
    });
}
