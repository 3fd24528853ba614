/**
 * One topic: publish copies a message into every subscribed queue whose filter matches.
 */
import type { EntryOutcome } from './coalescer.js';
import { encodeFramedEntry, sendOptionNames, type FramedOutgoing, type MessageBody } from './codec.js';
import { ChuteError, errorFromWire, type WireError } from './errors.js';
import { encodeFrame } from './frames.js';
import { MessageBatcher, type BatchingOptions } from './message-batcher.js';
import { checkKnownOptions } from './options.js';
import type { Queue } from './queue.js';
import type { Transport } from './transport.js';
import type { PublishOptions, PublishResult, Subscription, SubscriptionFilter, TopicInfo } from './types.js';

const publishOptionNames: ReadonlySet<string> = new Set([...sendOptionNames, 'routingKey']);

/** One result of a publish batch, as the broker answers it. */
type WirePublishResult = ({ ok: true } & PublishResult) | { ok: false; error: WireError };

/** A handle on one topic; obtain it with `chute.topic(name)`. */
export class Topic {
  /** The topic's name. */
  readonly name: string;
  private readonly path: string;
  private readonly publisher: MessageBatcher<PublishResult>;

  /** Creates a handle; use `chute.topic(name)` instead. */
  constructor(
    name: string,
    private readonly transport: Transport,
    batching: BatchingOptions,
  ) {
    this.name = name;
    this.path = `/v1/topics/${encodeURIComponent(name)}`;
    this.publisher = new MessageBatcher(batching, (batch) => this.postBatch(batch));
  }

  /** Creates the topic (creating an existing one returns it). */
  async create(): Promise<TopicInfo> {
    return (await this.transport.request<TopicInfo>({ method: 'PUT', path: this.path, idempotent: true })).body;
  }

  /** The topic with its subscriptions; rejects with TopicNotFound when it does not exist. */
  async get(): Promise<TopicInfo> {
    return (await this.transport.request<TopicInfo>({ method: 'GET', path: this.path, idempotent: true })).body;
  }

  /** Deletes the topic and its subscriptions; the queues stay. */
  async delete(): Promise<void> {
    await this.transport.request<undefined>({ method: 'DELETE', path: this.path, idempotent: false });
  }

  /**
   * Subscribes a queue. Only messages matching every part of `filter` are copied into it;
   * subscribing again replaces the filter.
   *
   * @example
   * await chute.topic('orders').subscribe('eu-orders', { routingKey: 'order.eu.#' });
   */
  async subscribe(queue: string | Queue, filter: SubscriptionFilter = {}): Promise<Subscription> {
    const res = await this.transport.request<Subscription>({ method: 'PUT', path: this.subscriptionPath(queue), body: { filter }, idempotent: true });
    return res.body;
  }

  /** Removes a subscription; rejects with SubscriptionNotFound when there is none. */
  async unsubscribe(queue: string | Queue): Promise<void> {
    await this.transport.request<undefined>({ method: 'DELETE', path: this.subscriptionPath(queue), idempotent: false });
  }

  /**
   * Publishes a message (string, bytes or JSON value, encoded as by `Queue.send`). Resolves with
   * the queues that received a copy: all matching subscribers or, on error, none. Publishes issued
   * in the same turn of the event loop travel together in one request, each still atomic on its own.
   */
  async publish(body: MessageBody, options: PublishOptions = {}): Promise<PublishResult> {
    checkKnownOptions('publish', options, publishOptionNames);
    const { routingKey, ...sendOptions } = options;
    return this.publisher.add(encodeFramedEntry(body, sendOptions, routingKey));
  }

  private async postBatch(outgoing: FramedOutgoing[]): Promise<Array<EntryOutcome<PublishResult>>> {
    const entries = outgoing.map((o) => o.entry);
    const res = await this.transport.request<{ results: WirePublishResult[] }>({
      method: 'POST',
      path: `${this.path}/publish`,
      frame: encodeFrame(entries, outgoing.map((o) => o.body)),
      // With a dedup id on every message a repeat stores nothing new, so a reset connection can be retried.
      idempotent: entries.every((e) => e.dedupId !== undefined),
    });
    const results = res.body?.results;
    if (!Array.isArray(results)) throw new ChuteError('BadResponse', 'the broker answered a batch publish without results');
    return entries.map((_, i): EntryOutcome<PublishResult> => {
      const r = results[i];
      if (r === undefined) return { ok: false, error: new ChuteError('BadResponse', `no result for publish ${i}`) };
      if (!r.ok) return { ok: false, error: errorFromWire(r.error) };
      return { ok: true, value: { deliveredTo: r.deliveredTo } };
    });
  }

  private subscriptionPath(queue: string | Queue): string {
    const name = typeof queue === 'string' ? queue : queue.name;
    return `${this.path}/subscriptions/${encodeURIComponent(name)}`;
  }
}
