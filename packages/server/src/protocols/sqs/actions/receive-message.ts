/** ReceiveMessage: leases up to 10 messages, long-polling when asked. */
import type { ReceiveOptions } from '../../../core/types.js';
import { authorize, loadQueue, targetQueue, type SqsAction } from '../context.js';
import { SqsLimits } from '../limits.js';
import { messageView } from '../message-view.js';
import { optInt, optString, optStringList } from '../params.js';

/**
 * ReceiveMessage. An explicit WaitTimeSeconds (0 included) overrides the queue's default wait, so
 * `WaitTimeSeconds: 0` returns at once even on a queue whose ReceiveMessageWaitTimeSeconds is 20.
 */
export const receiveMessage: SqsAction = async (ctx, input) => {
  const name = targetQueue(ctx, input);
  const max = optInt(input, 'MaxNumberOfMessages', 1, SqsLimits.receiveMessagesMax) ?? 1;
  const visibilitySeconds = optInt(input, 'VisibilityTimeout', 0, SqsLimits.visibilityTimeoutSecondsMax);
  const waitSeconds = optInt(input, 'WaitTimeSeconds', 0, SqsLimits.waitTimeSecondsMax);
  // Accepted for compatibility; retries of a FIFO receive are not replayed (see docs/sqs.md).
  optString(input, 'ReceiveRequestAttemptId');
  const systemNames = [...(optStringList(input, 'AttributeNames') ?? []), ...(optStringList(input, 'MessageSystemAttributeNames') ?? [])];
  const attributeNames = optStringList(input, 'MessageAttributeNames') ?? [];
  authorize(ctx, 'receive', name);
  const queue = await loadQueue(ctx, name);

  const options: ReceiveOptions = { max, signal: ctx.signal, consumer: ctx.consumer };
  if (visibilitySeconds !== undefined) options.visibilityTimeoutMs = visibilitySeconds * 1000;
  if (waitSeconds !== undefined) options.waitMs = waitSeconds * 1000;
  const messages = await ctx.broker.receive(name, options);

  const nowMs = ctx.now();
  for (const m of messages) ctx.leaseStarts.record(m.receipt, nowMs);
  if (messages.length === 0) return {};
  const viewOptions = {
    naming: ctx.naming,
    fifo: queue.config.fifo,
    senderId: ctx.principal?.name ?? ctx.naming.accountId,
    systemAttributeNames: systemNames,
    messageAttributeNames: attributeNames,
    nowMs,
  };
  return { Messages: messages.map((m) => messageView(m, viewOptions)) };
};
