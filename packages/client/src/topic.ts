/**
 * One topic: publish copies a message into every subscribed queue whose filter matches.
 */
import { encodeSendEntry, type MessageBody } from './codec.js';
import type { Queue } from './queue.js';
import type { Transport } from './transport.js';
import type { PublishOptions, PublishResult, Subscription, SubscriptionFilter, TopicInfo } from './types.js';

/** A handle on one topic; obtain it with `chute.topic(name)`. */
export class Topic {
  /** The topic's name. */
  readonly name: string;
  private readonly path: string;

  /** Creates a handle; use `chute.topic(name)` instead. */
  constructor(name: string, private readonly transport: Transport) {
    this.name = name;
    this.path = `/v1/topics/${encodeURIComponent(name)}`;
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
   * the queues that received a copy: all matching subscribers or, on error, none.
   */
  async publish(body: MessageBody, options: PublishOptions = {}): Promise<PublishResult> {
    const { routingKey, ...sendOptions } = options;
    const entry = encodeSendEntry(body, sendOptions);
    if (routingKey !== undefined) entry.routingKey = routingKey;
    const res = await this.transport.request<PublishResult>({
      method: 'POST',
      path: `${this.path}/publish`,
      body: entry,
      idempotent: entry.dedupId !== undefined,
    });
    return res.body;
  }

  private subscriptionPath(queue: string | Queue): string {
    const name = typeof queue === 'string' ? queue : queue.name;
    return `${this.path}/subscriptions/${encodeURIComponent(name)}`;
  }
}
