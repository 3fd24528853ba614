/**
 * Shapes of the native HTTP API's JSON bodies, exactly as they travel. Only the transport, the
 * codec and the resources use them; callers see the types of types.ts and message.ts.
 */
import type { WireError } from './errors.js';
import type { DeadLetterInfo } from './types.js';

/** A header value on the wire: bytes travel as `{ base64 }`. */
export type WireHeaderValue = string | number | { base64: string };

/** One send entry in a request. */
export interface WireSendEntry {
  id?: string;
  body: string;
  bodyEncoding?: 'utf8' | 'base64';
  headers?: Record<string, WireHeaderValue>;
  priority?: number;
  delayMs?: number;
  ttlMs?: number;
  groupId?: string;
  dedupId?: string;
}

/** A send entry (or, with a routing key, a publish) of a framed batch: its body follows the JSON, `bodyBytes` long. */
export interface FramedSendEntry extends Omit<WireSendEntry, 'body' | 'bodyEncoding'> {
  bodyBytes: number;
  routingKey?: string;
}

/** The answer to a single send. */
export interface WireSendResponse {
  id: string;
  sequence: string;
  duplicate: boolean;
}

/** One result of a batch send. */
export type WireBatchResult =
  | { id?: string; ok: true; messageId: string; sequence: string; duplicate: boolean }
  | { id?: string; ok: false; error: WireError };

/** A message as receive and peek return it. */
export interface WireMessage {
  id: string;
  sequence: string;
  body: string;
  bodyEncoding: 'utf8' | 'base64';
  headers?: Record<string, WireHeaderValue>;
  priority: number;
  groupId?: string;
  dedupId?: string;
  enqueuedAt: number;
  deliveryCount: number;
  firstDeliveredAt?: number;
  deadLetter?: DeadLetterInfo;
  receipt?: string;
  leaseExpiresAt?: number;
}

/** A message of a framed batch: its body follows the JSON, `bodyBytes` long. */
export interface FramedMessage extends Omit<WireMessage, 'body' | 'bodyEncoding'> {
  bodyBytes: number;
}

/** One result of an ack / nack / extend. */
export type WireReceiptResult =
  | { receipt: string; ok: true; leaseExpiresAt?: number }
  | { receipt: string; ok: false; error: WireError };
