/**
 * The broker's data shapes as the SDK exposes them. They mirror the native HTTP API (docs/http-api
 * and the OpenAPI file); the SDK does not depend on the server package, so they are restated here.
 */

/** A JSON value, as accepted by `send` and returned by `message.json()`. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A header value: text, a finite number, or raw bytes. */
export type HeaderValue = string | number | Uint8Array;

/** Message headers: name to value. */
export type MessageHeaders = Record<string, HeaderValue>;

/** What happens when a queue is at `maxLength` / `maxBytes` and a new message arrives. */
export type OverflowPolicy = 'reject' | 'drop-oldest' | 'dead-letter-oldest';

/** What happens to a message whose retention or TTL has passed. */
export type ExpiryPolicy = 'drop' | 'dead-letter';

/** The full configuration of a queue; on create and update every field is optional. */
export interface QueueConfig {
  /** Strict order per `groupId`; set at creation, cannot change. */
  fifo: boolean;
  /** Default lease length handed out by a receive, 0 ms to 12 h. */
  visibilityTimeoutMs: number;
  /** Delay applied to every send that does not name its own, 0 to 15 min. */
  delayMs: number;
  /** How long a message may stay in the queue, 1 s to 14 days. */
  retentionMs: number;
  /** Leases without ack after which a message is dead-lettered; null = never. */
  maxDeliveries: number | null;
  /** Queue that receives dead letters; required with maxDeliveries. */
  deadLetterQueue: string | null;
  /** Most messages the queue holds; null = unbounded. */
  maxLength: number | null;
  /** Most body bytes the queue holds; null = unbounded. */
  maxBytes: number | null;
  /** What a send does when maxLength / maxBytes is reached. */
  overflow: OverflowPolicy;
  /** What happens to messages past retention or their TTL. */
  expiry: ExpiryPolicy;
  /** Largest body accepted in bytes. */
  maxMessageBytes: number;
  /** How long a dedup id is remembered. */
  dedupWindowMs: number;
  /** Use the SHA-256 of the body as the dedup id when a send names none. */
  contentBasedDedup: boolean;
  /** Default long-poll wait of a receive that names none, 0 to 20 s. */
  receiveWaitMs: number;
  /** Confirm only after fsync (true) or keep the queue in memory only (false). Set at creation. */
  durable: boolean;
  /** Free-form tags. */
  tags: Record<string, string>;
  /** Opaque per-protocol attributes. */
  attributes: Record<string, string>;
}

/** A queue as reported by get/list. */
export interface QueueInfo {
  name: string;
  config: QueueConfig;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds of the last configuration change. */
  updatedAt: number;
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

/** Per-queue statistics. */
export interface QueueStats {
  name: string;
  durable: boolean;
  fifo: boolean;
  ready: number;
  leased: number;
  scheduled: number;
  /** Messages held in this queue's dead-letter queue. */
  deadLettered: number;
  /** ready + leased + scheduled. */
  total: number;
  /** Sum of body sizes held. */
  bytes: number;
  /** Age in ms of the oldest ready message, 0 when none. */
  oldestReadyAgeMs: number;
  /** Counters since the broker started. */
  totals: QueueTotals;
}

/** Why and from where a message was dead-lettered. */
export interface DeadLetterInfo {
  reason: 'maxDeliveries' | 'expired' | 'overflow';
  sourceQueue: string;
  /** Epoch milliseconds. */
  at: number;
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

/** A topic with its subscriptions. */
export interface TopicInfo {
  name: string;
  createdAt: number;
  subscriptions: Subscription[];
}

/** Outcome of a publish: the queues that got a copy, with each copy's id. */
export interface PublishResult {
  deliveredTo: Array<{ queue: string; id: string; duplicate: boolean }>;
}

/** A consumer the broker has seen recently. */
export interface ConsumerInfo {
  queue: string;
  consumer: string;
  waiting: number;
  received: number;
  lastSeenAt: number;
}

/** Paging options of list calls. */
export interface ListOptions {
  /** Only names starting with this. */
  prefix?: string;
  /** Only names strictly after this one. */
  after?: string;
  /** Most items to return. */
  limit?: number;
}

/** What a stored send reports. */
export interface SendReceipt {
  /** The broker-assigned message id (the first message's id when `duplicate`). */
  id: string;
  /** Broker-wide sequence number. */
  sequence: string;
  /** True when the dedup id was seen within the window and nothing new was stored. */
  duplicate: boolean;
}

/** Options of one send. */
export interface SendOptions {
  /** Extra headers; `content-type` is set from the body unless given here. */
  headers?: MessageHeaders;
  /** Overrides the content type the SDK derives from the body. */
  contentType?: string;
  /** 0 (default) to 9; higher is handed out first. */
  priority?: number;
  /** Delay before the message becomes ready; defaults to the queue's. */
  delayMs?: number;
  /** Time to live from now; capped by the queue's retention. */
  ttlMs?: number;
  /** FIFO group; messages of one group are handed out in order, one lease at a time. */
  groupId?: string;
  /** Deduplication id: a second send with it inside the window stores nothing. */
  dedupId?: string;
}

/** Options of a publish: a send's options plus the routing key the subscriptions filter on. */
export interface PublishOptions extends SendOptions {
  /** Dotted routing key matched against subscription patterns. */
  routingKey?: string;
}

/** Options of a receive. */
export interface ReceiveOptions {
  /** Most messages to return, default 1. */
  max?: number;
  /** Long poll: wait up to this long (0 to 20 s) for a first message; default: the queue's. */
  waitMs?: number;
  /** Lease length for this receive; default: the queue's. */
  visibilityTimeoutMs?: number;
  /** At-most-once: the messages are deleted as they are handed out. */
  autoAck?: boolean;
  /**
   * Aborts the long poll; the call then resolves with no messages, or with those the broker had
   * already leased for it when its answer was on its way (they are the caller's to settle).
   */
  signal?: AbortSignal;
  /**
   * Names the long poll (1 to 64 letters, digits, `-`, `_`), so that {@link Queue.endPoll} can end
   * its wait while keeping the connection: the poll then answers at once, with whatever it holds.
   */
  pollId?: string;
}

/** Options of a peek. */
export interface PeekOptions {
  /** Most messages to return, default 10. */
  max?: number;
  /** Only messages with a sequence greater than this (paging). */
  afterSequence?: string;
}

/** Options of a redrive. */
export interface RedriveOptions {
  /** Target queue; default: each message's source queue. */
  to?: string;
  /** Most messages to move; default all. */
  max?: number;
}

/** Outcome of one entry of an ack / nack / extend call with several receipts. */
export type ReceiptOutcome =
  | { ok: true; receipt: string; leaseExpiresAt?: number }
  | { ok: false; receipt: string; error: import('./errors.js').ChuteError };

/** Outcome of one entry of {@link SendReceipt} batch sends. */
export type SendOutcome = ({ ok: true } & SendReceipt) | { ok: false; error: import('./errors.js').ChuteError };
