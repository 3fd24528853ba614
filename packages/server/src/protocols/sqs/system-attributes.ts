/**
 * Message system attributes: the one a sender may set (AWSTraceHeader) and the ones ReceiveMessage
 * reports from the broker's message record (receive count, timestamps, FIFO ids, sequence number,
 * dead-letter source).
 */
import type { Headers, Message } from '../../core/types.js';
import { SqsError } from './errors.js';
import type { SqsMessageAttribute } from './md5.js';
import { isRecord } from './params.js';
import { queueArn, type QueueNaming } from './queue-url.js';
import { traceHeader } from './reserved-headers.js';

/** Every system attribute name ReceiveMessage may be asked for, besides `All`. */
export const systemAttributeNames = [
  'AWSTraceHeader',
  'ApproximateFirstReceiveTimestamp',
  'ApproximateReceiveCount',
  'DeadLetterQueueSourceArn',
  'MessageDeduplicationId',
  'MessageGroupId',
  'SenderId',
  'SentTimestamp',
  'SequenceNumber',
] as const;

/** Checks the MessageSystemAttributes of a send: only AWSTraceHeader, of type String. */
export function parseSystemAttributes(raw: Record<string, unknown> | undefined): Record<string, SqsMessageAttribute> {
  if (raw === undefined) return {};
  const out: Record<string, SqsMessageAttribute> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (name !== 'AWSTraceHeader') throw new SqsError('InvalidParameterValue', `Message system attribute name '${name}' is invalid.`);
    if (!isRecord(value) || value.DataType !== 'String' || typeof value.StringValue !== 'string' || value.StringValue === '') {
      throw new SqsError('InvalidParameterValue', `Message system attribute '${name}' must be of type String with a non-empty value.`);
    }
    out[name] = { DataType: 'String', StringValue: value.StringValue };
  }
  return out;
}

/** Headers that carry a send's system attributes. */
export function systemAttributesToHeaders(attributes: Record<string, SqsMessageAttribute>): Headers {
  const trace = attributes.AWSTraceHeader?.StringValue;
  return trace === undefined ? {} : { [traceHeader]: trace };
}

/** The system attributes of a received message that were asked for (`All` or names). */
export function messageSystemAttributes(
  naming: QueueNaming,
  message: Message,
  fifo: boolean,
  senderId: string,
  requested: readonly string[],
  nowMs: number,
): Record<string, string> {
  const trace = message.headers[traceHeader];
  const all: Record<string, string | undefined> = {
    SenderId: senderId,
    SentTimestamp: String(message.enqueuedAt),
    ApproximateReceiveCount: String(message.deliveryCount),
    ApproximateFirstReceiveTimestamp: String(message.firstDeliveredAt ?? nowMs),
    MessageGroupId: message.groupId,
    MessageDeduplicationId: fifo ? message.dedupId : undefined,
    SequenceNumber: fifo ? message.sequence : undefined,
    DeadLetterQueueSourceArn: message.deadLetter === undefined ? undefined : queueArn(naming, message.deadLetter.sourceQueue),
    AWSTraceHeader: typeof trace === 'string' ? trace : undefined,
  };
  const wanted = requested.includes('All') ? Object.keys(all) : requested;
  const out: Record<string, string> = {};
  for (const name of wanted) {
    const value = all[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
