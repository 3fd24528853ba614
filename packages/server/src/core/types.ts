/**
 * The message and queue contract of DESIGN.md section 1, as TypeScript types. Every protocol
 * front-end speaks these types to the Broker; every backend stores them.
 */

/** A header value: text, a finite number, or raw bytes. */
export type HeaderValue = string | number | Uint8Array;

/** Message headers: name to value. */
export type Headers = Record<string, HeaderValue>;

/** What happens when a queue is at `maxLength` / `maxBytes` and a new message arrives. */
export type OverflowPolicy = 'reject' | 'drop-oldest' | 'dead-letter-oldest';

/** What happens to a message whose retention or TTL has passed. */
export type ExpiryPolicy = 'drop' | 'dead-letter';

/** The full configuration of a queue; every field has a default (see limits.ts). */
export interface QueueConfig {
  /** Strict order per `groupId`; set at creation, cannot change. */
  fifo: boolean;
  /** Default lease length handed out by a receive, 0 ms to 12 h. */
  visibilityTimeoutMs: number;
  /** Delay applied to every send that does not name its own, 0 to 15 min. */
  delayMs: number;
  /** How long a message may stay in the queue, 1 s to 14 days (default 4 days). */
  retentionMs: number;
  /** Leases without ack after which a message is dead-lettered; null = never. */
  maxDeliveries: number | null;
  /** Queue that receives dead letters; required with maxDeliveries. */
  deadLetterQueue: string | null;
  /** Most messages the queue holds (ready + scheduled + leased); null = unbounded. */
  maxLength: number | null;
  /** Most body bytes the queue holds; null = unbounded. */
  maxBytes: number | null;
  /** What a send does when maxLength / maxBytes is reached. */
  overflow: OverflowPolicy;
  /** What happens to messages past retention or their TTL. */
  expiry: ExpiryPolicy;
  /** Largest body accepted, default 1 MiB. */
  maxMessageBytes: number;
  /** How long a dedup id (or content hash) is remembered, default 5 min. */
  dedupWindowMs: number;
  /** Use the SHA-256 of the body as the dedup id when a send names none. */
  contentBasedDedup: boolean;
  /** Default long-poll wait of a receive that names none, 0 to 20 s. */
  receiveWaitMs: number;
  /** Confirm only after fsync (true) or keep the queue in memory only (false). Set at creation. */
  durable: boolean;
  /** Free-form tags (key to value), kept for front-ends such as SQS TagQueue. */
  tags: Record<string, string>;
  /** Opaque per-protocol attributes a front-end must keep (e.g. SQS RedriveAllowPolicy). */
  attributes: Record<string, string>;
}

/** A queue as reported by get/list: its name, configuration and timestamps. */
export interface QueueInfo {
  name: string;
  config: QueueConfig;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds of the last configuration change. */
  updatedAt: number;
}

/** Why and from where a message was dead-lettered. */
export interface DeadLetterInfo {
  reason: 'maxDeliveries' | 'expired' | 'overflow';
  sourceQueue: string;
  /** Epoch milliseconds. */
  at: number;
}

/** A stored message, as peek and receive return it. */
export interface Message {
  /** Broker-assigned, unique, sortable by enqueue time. */
  id: string;
  /** Monotonic sequence number across the whole broker (SQS SequenceNumber, FIFO order). */
  sequence: string;
  body: Uint8Array;
  headers: Headers;
  priority: number;
  groupId?: string;
  dedupId?: string;
  /** Epoch milliseconds of the original send. */
  enqueuedAt: number;
  /** Number of leases granted so far, including the current one. */
  deliveryCount: number;
  /** Epoch milliseconds of the first lease, if any. */
  firstDeliveredAt?: number;
  /** Present when the message sits in a dead-letter queue. */
  deadLetter?: DeadLetterInfo;
}

/** A message handed out by receive, with the lease that now holds it. */
export interface ReceivedMessage extends Message {
  /** Opaque token naming this lease; ack / nack / extend need it. */
  receipt: string;
  /** Epoch milliseconds at which the lease ends unless extended. */
  leaseExpiresAt: number;
}

/** One message to send. */
export interface SendInput {
  /** Caller's id for this entry in a batch, echoed in its result. */
  entryId?: string;
  body: Uint8Array;
  headers?: Headers;
  priority?: number;
  /** Delay before the message becomes ready; defaults to the queue's `delayMs`. */
  delayMs?: number;
  /** Time to live from now; capped by the queue's retention. */
  ttlMs?: number;
  groupId?: string;
  dedupId?: string;
}

/** Outcome of one send entry: stored (or found to be a duplicate), or refused with an error. */
export type SendResult =
  | { ok: true; entryId?: string; id: string; sequence: string; duplicate: boolean }
  | { ok: false; entryId?: string; error: import('./errors.js').ChuteError };

/** Options of a receive. */
export interface ReceiveOptions {
  /** Most messages to return (1 to MessageLimits.batchEntriesMax). Default 1. */
  max?: number;
  /** Long-poll: wait up to this long for a first message (0 to 20 s). Default: the queue's receiveWaitMs. */
  waitMs?: number;
  /** Lease length for this receive, overriding the queue's visibilityTimeoutMs. */
  visibilityTimeoutMs?: number;
  /** At-most-once: the messages are deleted as they are handed out. */
  autoAck?: boolean;
  /** Aborts a long poll early (client went away); resolves with what was found (usually nothing). */
  signal?: AbortSignal;
  /** Free-form label of the consumer (address, token name) for the consumer listing. */
  consumer?: string;
}

/** One nack: give the message back, ready again after `delayMs` (default 0). */
export interface NackInput {
  receipt: string;
  delayMs?: number;
}

/** One lease extension: the lease now ends `visibilityTimeoutMs` from the moment of the call. */
export interface ExtendInput {
  receipt: string;
  visibilityTimeoutMs: number;
}

/** Outcome of one ack / nack / extend entry. */
export type ReceiptResult =
  | { ok: true; receipt: string; leaseExpiresAt?: number }
  | { ok: false; receipt: string; error: import('./errors.js').ChuteError };

/** Options of a peek (look without leasing). */
export interface PeekOptions {
  /** Most messages to return (1 to MessageLimits.peekMax). Default 10. */
  max?: number;
  /** Only messages with a sequence greater than this (for paging). */
  afterSequence?: string;
}

/** Options of a redrive: move dead letters back. */
export interface RedriveOptions {
  /** Target queue; default: each message's recorded source queue. */
  to?: string;
  /** Most messages to move; default all. */
  max?: number;
}

/** Per-queue statistics. */
export interface QueueStats {
  name: string;
  durable: boolean;
  fifo: boolean;
  ready: number;
  leased: number;
  scheduled: number;
  /** Messages held in this queue's dead-letter queue (0 when it has none). */
  deadLettered: number;
  /** Total messages held (ready + leased + scheduled). */
  total: number;
  /** Sum of body sizes held. */
  bytes: number;
  /** Age in ms of the oldest ready message, 0 when none. */
  oldestReadyAgeMs: number;
  /** Counters since the broker started. */
  totals: QueueTotals;
}

/** Counters kept per queue since the broker process started. */
export interface QueueTotals {
  sent: number;
  received: number;
  acked: number;
  nacked: number;
  expired: number;
  deadLettered: number;
  leaseExpired: number;
  deduplicated: number;
  dropped: number;
}

/** Filter of a subscription: all given parts must match. */
export interface SubscriptionFilter {
  /** Routing-key pattern: words separated by '.', '*' matches one word, '#' zero or more. */
  routingKey?: string;
  /** Header equality: every listed header must be present with exactly this value. */
  headers?: Record<string, string | number>;
}

/** A queue subscribed to a topic. */
export interface Subscription {
  topic: string;
  queue: string;
  filter: SubscriptionFilter;
  createdAt: number;
}

/** A topic as reported by get/list. */
export interface TopicInfo {
  name: string;
  createdAt: number;
  subscriptions: Subscription[];
}

/** A message published to a topic. */
export interface PublishInput extends Omit<SendInput, 'entryId'> {
  routingKey?: string;
}

/** Outcome of a publish: the queues that got a copy, with each copy's id. */
export interface PublishResult {
  deliveredTo: Array<{ queue: string; id: string; duplicate: boolean }>;
}

/** A consumer the broker has seen recently, for the console. */
export interface ConsumerInfo {
  queue: string;
  consumer: string;
  /** Long polls currently waiting. */
  waiting: number;
  /** Messages handed out to this consumer since it was first seen. */
  received: number;
  /** Epoch ms of its last receive. */
  lastSeenAt: number;
}

/** Paging options of list calls. */
export interface ListOptions {
  prefix?: string;
  /** Return names strictly after this one. */
  after?: string;
  limit?: number;
}
