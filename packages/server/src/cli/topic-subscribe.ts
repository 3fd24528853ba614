/**
 * `chute topic subscribe TOPIC QUEUE [--routing-key PATTERN] [--header k=v]...`
 */
import type { SubscriptionFilter } from '@chutemq/client';
import type { Command } from 'commander';
import { clientFor, globalOptions } from './context.js';
import { headerOption } from './options.js';
import { printJson, writeOut } from './output.js';

/** Adds `subscribe` to the `topic` command. */
export function registerTopicSubscribeCommand(topic: Command): void {
  topic
    .command('subscribe')
    .description('copy messages published to TOPIC into QUEUE (subscribing again replaces the filter)')
    .argument('<topic>', 'topic name')
    .argument('<queue>', 'queue name')
    .option('--routing-key <pattern>', "only routing keys matching this pattern ('*' one word, '#' any)")
    .option('--header <name=value>', 'only messages with this header value; repeat for more', headerOption)
    .action(async (topicName: string, queueName: string, opts: { routingKey?: string; header?: Record<string, string> }, command: Command) => {
      const global = globalOptions(command);
      const filter: SubscriptionFilter = {};
      if (opts.routingKey !== undefined) filter.routingKey = opts.routingKey;
      if (opts.header !== undefined) filter.headers = opts.header;
      const sub = await clientFor(global).topic(topicName).subscribe(queueName, filter);
      await (global.json ? printJson(sub) : writeOut(`subscribed ${sub.queue} to ${sub.topic}${describeFilter(sub.filter)}\n`));
    });
}

function describeFilter(filter: SubscriptionFilter): string {
  const parts: string[] = [];
  if (filter.routingKey !== undefined) parts.push(`routing key ${filter.routingKey}`);
  for (const [k, v] of Object.entries(filter.headers ?? {})) parts.push(`${k}=${v}`);
  return parts.length === 0 ? '' : ` where ${parts.join(', ')}`;
}
