/**
 * `chute queue create NAME [--fifo] [--max-deliveries N --dead-letter DLQ] [--visibility 30s]
 * [--delay 0s] [--max-length N]`
 */
import { formatDuration, type QueueConfig, type QueueInfo } from '@chutemq/client';
import type { Command } from 'commander';
import { clientFor, globalOptions } from './context.js';
import { UsageError } from './exit-codes.js';
import { durationOption, positiveOption } from './options.js';
import { orDash, printJson, printPairs } from './output.js';

interface CreateOptions {
  fifo?: boolean;
  maxDeliveries?: number;
  deadLetter?: string;
  visibility?: number;
  delay?: number;
  maxLength?: number;
}

/** Adds `create` to the `queue` command. */
export function registerQueueCreateCommand(queue: Command): void {
  queue
    .command('create')
    .description('create a queue (creating it again with the same settings changes nothing)')
    .argument('<name>', 'queue name')
    .option('--fifo', 'strict order per message group')
    .option('--max-deliveries <n>', 'deliveries without ack before a message is dead-lettered', positiveOption)
    .option('--dead-letter <queue>', 'queue that receives dead letters (with --max-deliveries)')
    .option('--visibility <duration>', 'lease length of a receive, e.g. 30s', durationOption)
    .option('--delay <duration>', 'delay of every message sent without its own', durationOption)
    .option('--max-length <n>', 'most messages the queue holds; more sends are refused', positiveOption)
    .action(async (name: string, opts: CreateOptions, command: Command) => {
      if ((opts.maxDeliveries === undefined) !== (opts.deadLetter === undefined)) {
        throw new UsageError('--max-deliveries and --dead-letter go together: give both or neither');
      }
      const config: Partial<QueueConfig> = {};
      if (opts.fifo === true) config.fifo = true;
      if (opts.maxDeliveries !== undefined) config.maxDeliveries = opts.maxDeliveries;
      if (opts.deadLetter !== undefined) config.deadLetterQueue = opts.deadLetter;
      if (opts.visibility !== undefined) config.visibilityTimeoutMs = opts.visibility;
      if (opts.delay !== undefined) config.delayMs = opts.delay;
      if (opts.maxLength !== undefined) config.maxLength = opts.maxLength;
      const global = globalOptions(command);
      const info = await clientFor(global).queue(name).create(config);
      await (global.json ? printJson(info) : printQueueInfo(info));
    });
}

/** Prints a queue's settings as aligned pairs. */
export function printQueueInfo(info: QueueInfo): Promise<void> {
  const c = info.config;
  return printPairs([
    ['queue', info.name],
    ['type', c.fifo ? 'fifo' : 'standard'],
    ['durable', c.durable ? 'yes' : 'no'],
    ['visibility', formatDuration(c.visibilityTimeoutMs)],
    ['delay', formatDuration(c.delayMs)],
    ['retention', formatDuration(c.retentionMs)],
    ['max deliveries', orDash(c.maxDeliveries)],
    ['dead-letter queue', orDash(c.deadLetterQueue)],
    ['max length', orDash(c.maxLength)],
    ['created', new Date(info.createdAt).toISOString()],
  ]);
}
