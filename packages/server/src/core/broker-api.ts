/**
 * The one API every protocol front-end calls. Inputs are validated here (by the Broker), so a
 * front-end passes what the client said and maps the typed errors that come back.
 */
import type {
  ConsumerInfo,
  ExtendInput,
  ListOptions,
  Message,
  NackInput,
  PeekOptions,
  PublishInput,
  PublishResult,
  QueueConfig,
  QueueInfo,
  QueueStats,
  ReceiptResult,
  ReceivedMessage,
  ReceiveOptions,
  RedriveOptions,
  SendInput,
  SendResult,
  Subscription,
  SubscriptionFilter,
  TopicInfo,
} from './types.js';

/** The broker's operations; see docs/semantics.md for every rule and limit. */
export interface BrokerApi {
  /**
   * Creates a queue. Creating a queue that exists with the same given settings returns it
   * unchanged; with different settings it fails with QueueAlreadyExists.
   */
  createQueue(name: string, config?: Partial<QueueConfig>): Promise<QueueInfo>;
  /** Changes settings of an existing queue (`fifo` and `durable` cannot change). */
  updateQueue(name: string, patch: Partial<QueueConfig>): Promise<QueueInfo>;
  /** Returns one queue or throws QueueNotFound. */
  getQueue(name: string): Promise<QueueInfo>;
  /** Lists queues in name order. */
  listQueues(options?: ListOptions): Promise<QueueInfo[]>;
  /** Deletes a queue and its messages. Fails with QueueInUse while it is another queue's dead-letter queue. */
  deleteQueue(name: string): Promise<void>;
  /** Removes every message (ready, scheduled and leased); returns how many. */
  purgeQueue(name: string): Promise<{ purged: number }>;
  /** Counts and totals of one queue. */
  queueStats(name: string): Promise<QueueStats>;
  /** Names of the queues whose dead-letter queue is `name`. */
  deadLetterSources(name: string): Promise<string[]>;

  /**
   * Sends one or more messages. Batch-level problems (empty, too many entries, duplicate entry
   * ids, unknown queue) throw; a problem with one entry fails only that entry, its fields named
   * `messages[i].…` with `i` its place in the list or, when given, `places[i]`. Each stored entry
   * is on disk (durable queues) before the promise resolves.
   */
  send(queue: string, entries: SendInput[], places?: number[]): Promise<SendResult[]>;
  /** Leases (or with autoAck, removes) up to `max` ready messages, long-polling if asked. */
  receive(queue: string, options?: ReceiveOptions): Promise<ReceivedMessage[]>;
  /** Acknowledges leases: the messages are gone. */
  ack(queue: string, receipts: string[]): Promise<ReceiptResult[]>;
  /** Gives leased messages back, ready again after each entry's delay. */
  nack(queue: string, entries: NackInput[]): Promise<ReceiptResult[]>;
  /** Sets the lease end of each entry to now + its visibilityTimeoutMs. */
  extend(queue: string, entries: ExtendInput[]): Promise<ReceiptResult[]>;
  /** Looks at messages in delivery order without leasing them. */
  peek(queue: string, options?: PeekOptions): Promise<Message[]>;
  /** Moves messages out of a dead-letter queue, back to their source (or `to`). */
  redrive(deadLetterQueue: string, options?: RedriveOptions): Promise<{ moved: number }>;

  /** Creates a topic (idempotent). */
  createTopic(name: string): Promise<TopicInfo>;
  /** Returns one topic with its subscriptions, or throws TopicNotFound. */
  getTopic(name: string): Promise<TopicInfo>;
  /** Lists topics in name order. */
  listTopics(options?: ListOptions): Promise<TopicInfo[]>;
  /** Deletes a topic and its subscriptions (queues stay). */
  deleteTopic(name: string): Promise<void>;
  /** Subscribes a queue; subscribing again replaces the filter. */
  subscribe(topic: string, queue: string, filter?: SubscriptionFilter): Promise<Subscription>;
  /** Removes a subscription, or throws SubscriptionNotFound. */
  unsubscribe(topic: string, queue: string): Promise<void>;
  /** Copies the message into every subscribed queue whose filter matches: all of them or none. */
  publish(topic: string, message: PublishInput): Promise<PublishResult>;
  /**
   * Publishes several messages, each its own atomic publish with its own outcome, in order: the
   * copies that land in one queue keep the order of the list. Errors name fields
   * `messages[i].…`, with `i` the message's place in the list or, when given, `places[i]` (its
   * place in the caller's request when some were left out).
   */
  publishMany(topic: string, messages: PublishInput[], places?: number[]): Promise<Array<PromiseSettledResult<PublishResult>>>;

  /** Consumers seen recently (long-polling or receiving), for the console. */
  listConsumers(queue?: string): ConsumerInfo[];
  /** Stops timers, wakes long polls with empty results, flushes and closes storage. */
  close(): Promise<void>;
}
