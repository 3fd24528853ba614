/**
 * `chute queue list`: every queue with its counts.
 */
import type { Chute, QueueInfo, QueueStats } from '@chutemq/client';
import type { Command } from 'commander';
import { clientFor, globalOptions } from './context.js';
import { orDash, printJson, printTable } from './output.js';

/** Stats requests in flight at once while building the table. */
const statsConcurrency = 16;

/** Adds `list` to the `queue` command. */
export function registerQueueListCommand(queue: Command): void {
  queue
    .command('list')
    .description('list queues with their message counts')
    .option('--prefix <prefix>', 'only queues whose name starts with this')
    .action(async (opts: { prefix?: string }, command: Command) => {
      const global = globalOptions(command);
      const chute = clientFor(global);
      const queues = await chute.queues(opts.prefix === undefined ? {} : { prefix: opts.prefix });
      if (global.json) {
        await printJson(queues);
        return;
      }
      const stats = await statsOf(chute, queues);
      await printTable(
        ['NAME', 'TYPE', 'READY', 'LEASED', 'SCHEDULED', 'DEAD-LETTER'],
        queues.map((q, i) => [
          q.name,
          q.config.fifo ? 'fifo' : 'standard',
          stats[i]?.ready ?? '?',
          stats[i]?.leased ?? '?',
          stats[i]?.scheduled ?? '?',
          orDash(q.config.deadLetterQueue),
        ]),
      );
    });
}

/** Fetches stats of many queues, a few at a time; a queue deleted meanwhile gets undefined. */
async function statsOf(chute: Chute, queues: QueueInfo[]): Promise<Array<QueueStats | undefined>> {
  const out: Array<QueueStats | undefined> = new Array(queues.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < queues.length) {
      const i = next++;
      out[i] = await chute
        .queue((queues[i] as QueueInfo).name)
        .stats()
        .catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.min(statsConcurrency, queues.length) }, worker));
  return out;
}
