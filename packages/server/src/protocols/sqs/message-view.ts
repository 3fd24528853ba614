/**
 * A received broker message as an SQS Message: body as text, digests, the system attributes and
 * message attributes that were asked for.
 */
import type { ReceivedMessage } from '../../core/types.js';
import { md5OfBody, md5OfMessageAttributes } from './md5.js';
import { headersToAttributes, selectAttributes } from './message-attributes.js';
import type { QueueNaming } from './queue-url.js';
import { messageSystemAttributes } from './system-attributes.js';

/** What ReceiveMessage asked to see of each message. */
export interface MessageViewOptions {
  naming: QueueNaming;
  fifo: boolean;
  senderId: string;
  systemAttributeNames: readonly string[];
  messageAttributeNames: readonly string[];
  nowMs: number;
}

/** Renders one received message in the JSON shape of an SQS Message. */
export function messageView(message: ReceivedMessage, options: MessageViewOptions): Record<string, unknown> {
  // Bodies sent through other APIs may hold any bytes; SQS bodies are text, so they are read as UTF-8
  // and the digest covers the text the client gets.
  const body = Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength).toString('utf8');
  const out: Record<string, unknown> = {
    MessageId: message.id,
    ReceiptHandle: message.receipt,
    MD5OfBody: md5OfBody(body),
    Body: body,
  };
  const system = messageSystemAttributes(options.naming, message, options.fifo, options.senderId, options.systemAttributeNames, options.nowMs);
  if (Object.keys(system).length > 0) out.Attributes = system;
  if (options.messageAttributeNames.length > 0) {
    const attributes = selectAttributes(headersToAttributes(message.headers), options.messageAttributeNames);
    const md5 = md5OfMessageAttributes(attributes);
    if (md5 !== undefined) {
      out.MD5OfMessageAttributes = md5;
      const wire: Record<string, Record<string, unknown>> = {};
      for (const [name, a] of Object.entries(attributes)) {
        wire[name] = a.BinaryValue !== undefined ? { DataType: a.DataType, BinaryValue: a.BinaryValue } : { DataType: a.DataType, StringValue: a.StringValue };
      }
      out.MessageAttributes = wire;
    }
  }
  return out;
}
