/**
 * `chute topic publish TOPIC [BODY] [--routing-key K] [--header k=v]... [--delay] [--priority]
 * [--group] [--dedup]`: BODY or stdin.
 */
import type { PublishOptions } from '@chutemq/client';
import type { Command } from 'commander';
import { clientFor, globalOptions } from './context.js';
import { countOption, durationOption, headerOption } from './options.js';
import { printJson, writeOut } from './output.js';
import { readStdinBody } from './stdin.js';

interface PublishCliOptions {
  routingKey?: string;
  header?: Record<string, string>;
  delay?: number;
  priority?: number;
  group?: string;
  dedup?: string;
}

/** Adds `publish` to the `topic` command. */
export function registerTopicPublishCommand(topic: Command): void {
  topic
    .command('publish')
    .description('publish a message to every matching subscriber queue (BODY, or stdin when omitted)')
    .argument('<topic>', 'topic name')
    .argument('[body]', 'message body; read from stdin when omitted')
    .option('--routing-key <key>', 'dotted routing key the subscriptions filter on')
    .option('--header <name=value>', 'a message header; repeat for more', headerOption)
    .option('--delay <duration>', 'deliver after this delay', durationOption)
    .option('--priority <n>', 'priority 0 (default) to 9', countOption)
    .option('--group <id>', 'message group')
    .option('--dedup <id>', 'deduplication id')
    .action(async (topicName: string, body: string | undefined, opts: PublishCliOptions, command: Command) => {
      const global = globalOptions(command);
      const options: PublishOptions = {};
      if (opts.routingKey !== undefined) options.routingKey = opts.routingKey;
      if (opts.header !== undefined) options.headers = opts.header;
      if (opts.delay !== undefined) options.delayMs = opts.delay;
      if (opts.priority !== undefined) options.priority = opts.priority;
      if (opts.group !== undefined) options.groupId = opts.group;
      if (opts.dedup !== undefined) options.dedupId = opts.dedup;
      const result = await clientFor(global).topic(topicName).publish(body ?? (await readStdinBody()), options);
      const queues = result.deliveredTo.map((d) => d.queue);
      await (global.json
        ? printJson(result)
        : writeOut(`delivered to ${queues.length} queue${queues.length === 1 ? '' : 's'}${queues.length > 0 ? `: ${queues.join(', ')}` : ''}\n`));
    });
}
