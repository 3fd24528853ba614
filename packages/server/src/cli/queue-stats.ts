/**
 * `chute queue stats NAME`
 */
import type { Command } from 'commander';
import { clientFor, globalOptions } from './context.js';
import { printJson, printPairs } from './output.js';

/** Adds `stats` to the `queue` command. */
export function registerQueueStatsCommand(queue: Command): void {
  queue
    .command('stats')
    .description("show a queue's message counts and totals")
    .argument('<name>', 'queue name')
    .action(async (name: string, _opts: unknown, command: Command) => {
      const global = globalOptions(command);
      const s = await clientFor(global).queue(name).stats();
      if (global.json) {
        await printJson(s);
        return;
      }
      await printPairs([
        ['queue', s.name],
        ['type', `${s.fifo ? 'fifo' : 'standard'}${s.durable ? '' : ', in memory only'}`],
        ['ready', s.ready],
        ['leased', s.leased],
        ['scheduled', s.scheduled],
        ['total', s.total],
        ['bytes', s.bytes],
        ['dead-lettered', s.deadLettered],
        ['oldest ready age', `${s.oldestReadyAgeMs}ms`],
        ['sent', s.totals.sent],
        ['received', s.totals.received],
        ['acked', s.totals.acked],
        ['nacked', s.totals.nacked],
        ['lease expired', s.totals.leaseExpired],
        ['expired', s.totals.expired],
        ['sent to dead letters', s.totals.deadLettered],
        ['deduplicated', s.totals.deduplicated],
        ['dropped', s.totals.dropped],
      ]);
    });
}
