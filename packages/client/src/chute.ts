/**
 * The client: connection settings, handles on queues and topics, and broker-wide listings.
 */
import { requestBackoffDefaults, resolveBackoff, type BackoffOptions } from './backoff.js';
import type { Consumer } from './consumer.js';
import { Queue, brokerBatchEntriesMax, type BatchingOptions } from './queue.js';
import { Topic } from './topic.js';
import { fetchExchange, nodeExchange } from './exchange.js';
import { Transport } from './transport.js';
import type { ConsumerInfo, ListOptions, QueueInfo, TopicInfo } from './types.js';

/** Options of {@link Chute}. */
export interface ChuteOptions {
  /** Base URL of the broker. Default `http://127.0.0.1:7070`. */
  url?: string;
  /** Access token, sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Time limit of one request attempt; long polls get their wait on top. Default 30 s. */
  requestTimeoutMs?: number;
  /**
   * Retries after a failed attempt, for connection failures and 429/503 answers (and, for
   * requests safe to repeat, reset connections and timeouts). Default 5.
   */
  maxRetries?: number;
  /** Delays between retries. Default `{ initialMs: 100, maxMs: 5000, factor: 2, jitter: 0.2 }`. */
  retryBackoff?: Partial<BackoffOptions>;
  /**
   * Bounds of automatic send batching. Default 500 messages or 4 MiB per request, 8 batch
   * requests in flight per queue.
   */
  batching?: Partial<BatchingOptions>;
  /**
   * A fetch implementation to send requests through (a custom dispatcher, a test double).
   * Default: `node:http` / `node:https` with keep-alive connections.
   */
  fetch?: typeof fetch;
  /**
   * Carry batch sends, receives, acks, nacks and extends over WebSockets to the broker
   * (`/v1/channel`) instead of an HTTP request each; everything else stays HTTP. It costs far
   * less CPU per batch, which keeps latency low and steady. A broker without the channel is
   * talked to over HTTP. Default true, false when `fetch` is given (its requests are then all
   * the client makes).
   */
  channel?: boolean;
}

/** Default broker URL, matching `chute serve`'s default. */
export const defaultUrl = 'http://127.0.0.1:7070';

/** Checks a broker URL (http:// or https://) and returns it; a RangeError says what is wrong. */
export function checkBrokerUrl(url: string): string {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new RangeError(`url must be an http:// or https:// URL such as ${defaultUrl}, got ${JSON.stringify(url)}`);
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw new RangeError(`url must be an http:// or https:// URL, got ${JSON.stringify(url)}`);
  return url;
}

/**
 * A client of one Chute broker.
 *
 * @example
 * const chute = new Chute({ url: 'http://127.0.0.1:7070' });
 * await chute.queue('jobs').create();
 * await chute.queue('jobs').send('hello');
 * const [m] = await chute.queue('jobs').receive({ waitMs: 1000 });
 * console.log(m?.text());
 * await m?.ack();
 */
export class Chute {
  private readonly transport: Transport;
  private readonly batching: BatchingOptions;
  private readonly queueHandles = new Map<string, Queue>();
  private readonly topicHandles = new Map<string, Topic>();
  private readonly consumers = new Set<Consumer>();

  /** Creates a client; nothing connects until the first call. */
  constructor(options: ChuteOptions = {}) {
    const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    const maxRetries = options.maxRetries ?? 5;
    if (!(requestTimeoutMs > 0)) throw new RangeError(`requestTimeoutMs must be > 0, got ${requestTimeoutMs}`);
    if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new RangeError(`maxRetries must be an integer >= 0, got ${maxRetries}`);
    this.transport = new Transport({
      url: checkBrokerUrl(options.url ?? defaultUrl),
      token: options.token,
      requestTimeoutMs,
      maxRetries,
      retryBackoff: resolveBackoff(options.retryBackoff, requestBackoffDefaults),
      exchange: options.fetch === undefined ? nodeExchange() : fetchExchange(options.fetch),
      channel: options.channel ?? options.fetch === undefined,
    });
    this.batching = { maxEntries: 500, maxBytes: 4 * 1024 * 1024, maxConcurrent: 8, ...(options.batching ?? {}) };
    const { maxEntries, maxBytes, maxConcurrent } = this.batching;
    if (!Number.isInteger(maxEntries) || maxEntries < 1 || maxEntries > brokerBatchEntriesMax) {
      throw new RangeError(`batching.maxEntries must be an integer from 1 to ${brokerBatchEntriesMax}, got ${maxEntries}`);
    }
    if (!(maxBytes > 0)) throw new RangeError(`batching.maxBytes must be > 0, got ${maxBytes}`);
    if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) throw new RangeError(`batching.maxConcurrent must be an integer >= 1, got ${maxConcurrent}`);
  }

  /** The broker's base URL. */
  get url(): string {
    return this.transport.url;
  }

  /** The handle of queue `name` (the same object for the same name). No request is made. */
  queue(name: string): Queue {
    let q = this.queueHandles.get(name);
    if (q === undefined) {
      q = new Queue(name, { transport: this.transport, batching: this.batching, track: (c) => this.consumers.add(c) });
      this.queueHandles.set(name, q);
    }
    return q;
  }

  /** The handle of topic `name` (the same object for the same name). No request is made. */
  topic(name: string): Topic {
    let t = this.topicHandles.get(name);
    if (t === undefined) {
      t = new Topic(name, this.transport, this.batching);
      this.topicHandles.set(name, t);
    }
    return t;
  }

  /**
   * Lists queues in name order. Without `limit` it follows the broker's pages to the end.
   */
  async queues(options: ListOptions = {}): Promise<QueueInfo[]> {
    return this.listAll<QueueInfo>('/v1/queues', 'queues', options);
  }

  /** Lists topics in name order, with their subscriptions. */
  async topics(options: ListOptions = {}): Promise<TopicInfo[]> {
    return this.listAll<TopicInfo>('/v1/topics', 'topics', options);
  }

  /** Consumers the broker has seen recently, optionally of one queue. */
  async listConsumers(queue?: string): Promise<ConsumerInfo[]> {
    const res = await this.transport.request<{ consumers: ConsumerInfo[] }>({ method: 'GET', path: '/v1/consumers', query: { queue }, idempotent: true });
    return res.body.consumers;
  }

  /** The broker's health: resolves with its status, rejects when it is unreachable or not ready. */
  async health(): Promise<{ status: string }> {
    return (await this.transport.request<{ status: string }>({ method: 'GET', path: '/healthz', idempotent: true })).body;
  }

  /**
   * Stops every consumer started through this client (see `Consumer.stop`) and waits for every
   * pending send, ack, nack and extend to settle, then closes the channel (a later request
   * opens it again).
   */
  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.stop()));
    this.consumers.clear();
    await Promise.all([...this.queueHandles.values()].map((q) => q.flush()));
    this.transport.close();
  }

  private async listAll<T extends { name: string }>(path: string, key: 'queues' | 'topics', options: ListOptions): Promise<T[]> {
    const out: T[] = [];
    let after = options.after;
    for (;;) {
      const res = await this.transport.request<Record<string, unknown>>({
        method: 'GET',
        path,
        query: { prefix: options.prefix, after, limit: options.limit },
        idempotent: true,
      });
      const page = (res.body[key] ?? []) as T[];
      out.push(...page);
      const next = typeof res.body.next === 'string' ? res.body.next : undefined;
      if (options.limit !== undefined || next === undefined || page.length === 0) return out;
      after = next;
    }
  }
}
