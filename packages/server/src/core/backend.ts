/**
 * The one storage interface the Broker calls. A backend stores queues, topics and messages and
 * runs the queue state machine (ready / scheduled / leased, FIFO groups, dedup, dead letters);
 * the Broker has already validated and normalised every input it passes.
 */
import type {
  Headers,
  Message,
  QueueConfig,
  QueueInfo,
  QueueStats,
  ReceiptResult,
  ReceivedMessage,
  SendResult,
  TopicInfo,
} from './types.js';

/** A send entry after validation, with every default applied. */
export interface NormalizedSend {
  entryId?: string;
  body: Uint8Array;
  headers: Headers;
  priority: number;
  delayMs: number;
  /** Time to live from now, or null for the queue's retention only. */
  ttlMs: number | null;
  groupId?: string;
  /** The dedup id as the client gave it. */
  dedupId?: string;
  /** The key deduplication uses: the dedup id, or the body hash on contentBasedDedup queues. */
  dedupKey?: string;
}

/** A receive after validation. */
export interface NormalizedReceive {
  max: number;
  waitMs: number;
  visibilityTimeoutMs: number;
  autoAck: boolean;
  signal?: AbortSignal;
}

/** Counters the storage layer keeps about its commits, for metrics. */
export interface StorageStats {
  /** Storage engine in use. */
  engine: string;
  /** Number of commits (each one fsync for durable storage). */
  commits: number;
  /** Operations (puts / removes) carried by those commits. */
  commitOps: number;
  /** Commit latency in milliseconds: count, sum, and cumulative counts per bucket upper bound. */
  commitLatencyMs: { count: number; sum: number; buckets: Array<{ le: number; count: number }> };
  /** Size of the data file in bytes. */
  fileBytes: number;
}

/** The storage and queue-state interface every backend implements. */
export interface Backend {
  createQueue(name: string, config: QueueConfig): Promise<QueueInfo>;
  updateQueue(name: string, config: QueueConfig): Promise<QueueInfo>;
  getQueue(name: string): Promise<QueueInfo | undefined>;
  listQueues(options: { prefix?: string; after?: string; limit: number }): Promise<QueueInfo[]>;
  deleteQueue(name: string): Promise<void>;
  purgeQueue(name: string): Promise<number>;
  queueStats(name: string): Promise<QueueStats>;

  /** Stores each entry independently: one entry's failure does not affect the others. */
  send(queue: string, entries: NormalizedSend[]): Promise<SendResult[]>;
  /** Stores one message in several queues in one commit: all of them, or none (throws). */
  sendToMany(targets: Array<{ queue: string; entry: NormalizedSend }>): Promise<Array<{ queue: string; id: string; duplicate: boolean }>>;
  receive(queue: string, options: NormalizedReceive): Promise<ReceivedMessage[]>;
  ack(queue: string, receipts: string[]): Promise<ReceiptResult[]>;
  nack(queue: string, entries: Array<{ receipt: string; delayMs: number }>): Promise<ReceiptResult[]>;
  extend(queue: string, entries: Array<{ receipt: string; visibilityTimeoutMs: number }>): Promise<ReceiptResult[]>;
  peek(queue: string, options: { max: number; afterSequence?: string }): Promise<Message[]>;
  redrive(deadLetterQueue: string, options: { to?: string; max: number }): Promise<{ moved: number }>;

  putTopic(topic: TopicInfo): Promise<void>;
  deleteTopic(name: string): Promise<void>;
  listTopics(): Promise<TopicInfo[]>;

  storageStats(): StorageStats;
  close(): Promise<void>;
}
