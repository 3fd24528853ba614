/**
 * The Broker: the one API of DESIGN.md section 2. It validates and normalises every input,
 * enforces the cross-queue rules (dead-letter queues exist and form no cycle), routes topic
 * publishes, tracks consumers, and hands the rest to the Backend.
 */
import type { Backend, StorageStats } from './backend.js';
import type { BrokerApi } from './broker-api.js';
import type { Clock } from './clock.js';
import { ConsumerRegistry } from './consumers.js';
import { ChuteError, asSingleEntryError, invalidArgument } from './errors.js';
import type { BrokerEventListener } from './events.js';
import { MessageLimits, QueueLimits } from './limits.js';
import { filterMatches } from './routing.js';
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
import {
  checkInt,
  defaultQueueConfig,
  mergeQueueConfig,
  normalizeSend,
  validateBatch,
  validateFilter,
  validateName,
  validateRoutingKey,
} from './validate.js';
import { parseSequence } from './ids.js';

const LIST_LIMIT_DEFAULT = 1000;
const LIST_LIMIT_MAX = 1000;

/** The broker over one backend. */
export class Broker implements BrokerApi {
  private readonly topics = new Map<string, TopicInfo>();
  private readonly consumers: ConsumerRegistry;
  private closed = false;

  private constructor(
    private readonly backend: Backend,
    private readonly clock: Clock,
    private readonly emit: BrokerEventListener,
  ) {
    this.consumers = new ConsumerRegistry(clock);
  }

  /** Opens a broker over an already-open backend, loading its topics; `onEvent` hears lifecycle events. */
  static async create(backend: Backend, clock: Clock, onEvent: BrokerEventListener = () => {}): Promise<Broker> {
    const broker = new Broker(backend, clock, onEvent);
    for (const topic of await backend.listTopics()) broker.topics.set(topic.name, topic);
    return broker;
  }

  // ---- queues ---------------------------------------------------------------------------

  async createQueue(name: string, config: Partial<QueueConfig> = {}): Promise<QueueInfo> {
    this.checkOpen();
    validateName('queue', name);
    const merged = mergeQueueConfig(defaultQueueConfig(), config);
    const existing = await this.backend.getQueue(name);
    if (existing !== undefined) {
      const differs = Object.keys(config).filter(
        (k) => JSON.stringify(existing.config[k as keyof QueueConfig]) !== JSON.stringify(merged[k as keyof QueueConfig]),
      );
      if (differs.length > 0) {
        throw new ChuteError('QueueAlreadyExists', `queue ${name} already exists with different settings: ${differs.join(', ')}`, {
          field: differs[0],
        });
      }
      return existing;
    }
    await this.checkDeadLetterTarget(name, merged);
    const created = await this.backend.createQueue(name, merged);
    this.emit({ type: 'queue.created', queue: name, fifo: merged.fifo, durable: merged.durable });
    return created;
  }

  async updateQueue(name: string, patch: Partial<QueueConfig>): Promise<QueueInfo> {
    this.checkOpen();
    const existing = await this.requireQueue(name);
    const merged = mergeQueueConfig(existing.config, patch);
    if (merged.fifo !== existing.config.fifo) throw invalidArgument('fifo', 'fifo is fixed when the queue is created');
    if (merged.durable !== existing.config.durable) throw invalidArgument('durable', 'durable is fixed when the queue is created');
    await this.checkDeadLetterTarget(name, merged);
    const updated = await this.backend.updateQueue(name, merged);
    this.emit({ type: 'queue.updated', queue: name });
    return updated;
  }

  async getQueue(name: string): Promise<QueueInfo> {
    return this.requireQueue(name);
  }

  async listQueues(options: ListOptions = {}): Promise<QueueInfo[]> {
    return this.backend.listQueues(this.listOptions(options));
  }

  async deleteQueue(name: string): Promise<void> {
    this.checkOpen();
    await this.requireQueue(name);
    const sources = await this.deadLetterSources(name);
    const others = sources.filter((s) => s !== name);
    if (others.length > 0) {
      throw new ChuteError('QueueInUse', `queue ${name} is the dead-letter queue of ${others.join(', ')}; change their deadLetterQueue first`, {
        field: 'name',
      });
    }
    await this.backend.deleteQueue(name);
    for (const topic of this.topics.values()) {
      if (topic.subscriptions.some((s) => s.queue === name)) {
        const next = { ...topic, subscriptions: topic.subscriptions.filter((s) => s.queue !== name) };
        await this.backend.putTopic(next);
        this.topics.set(topic.name, next);
      }
    }
    this.consumers.forgetQueue(name);
    this.emit({ type: 'queue.deleted', queue: name });
  }

  async purgeQueue(name: string): Promise<{ purged: number }> {
    this.checkOpen();
    await this.requireQueue(name);
    const purged = await this.backend.purgeQueue(name);
    this.emit({ type: 'queue.purged', queue: name, purged });
    return { purged };
  }

  async queueStats(name: string): Promise<QueueStats> {
    await this.requireQueue(name);
    return this.backend.queueStats(name);
  }

  async deadLetterSources(name: string): Promise<string[]> {
    const all = await this.allQueues();
    return all.filter((q) => q.config.deadLetterQueue === name).map((q) => q.name);
  }

  // ---- messages -------------------------------------------------------------------------

  async send(queue: string, entries: SendInput[], places?: number[]): Promise<SendResult[]> {
    this.checkOpen();
    const info = await this.requireQueue(queue);
    validateBatch('messages', entries, Array.isArray(entries) ? entries.map((e) => e?.entryId) : []);
    const results: Array<SendResult | undefined> = new Array(entries.length);
    const valid: Array<{ index: number; entry: ReturnType<typeof normalizeSend> }> = [];
    entries.forEach((input, index) => {
      try {
        valid.push({ index, entry: normalizeSend(info.config, input, `messages[${places?.[index] ?? index}]`) });
      } catch (e) {
        if (!(e instanceof ChuteError)) throw e;
        results[index] = input?.entryId === undefined ? { ok: false, error: e } : { ok: false, entryId: input.entryId, error: e };
      }
    });
    if (valid.length > 0) {
      const stored = await this.backend.send(
        queue,
        valid.map((v) => v.entry),
      );
      stored.forEach((r, i) => {
        results[(valid[i] as { index: number }).index] = r;
      });
    }
    return results as SendResult[];
  }

  async receive(queue: string, options: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    this.checkOpen();
    const info = await this.requireQueue(queue);
    const max = options.max === undefined ? 1 : checkInt('max', options.max, 1, MessageLimits.batchEntriesMax);
    const waitMs = options.waitMs === undefined ? info.config.receiveWaitMs : checkInt('waitMs', options.waitMs, 0, QueueLimits.receiveWaitMaxMs);
    const visibilityTimeoutMs =
      options.visibilityTimeoutMs === undefined
        ? info.config.visibilityTimeoutMs
        : checkInt('visibilityTimeoutMs', options.visibilityTimeoutMs, 0, QueueLimits.visibilityTimeoutMaxMs);
    const autoAck = options.autoAck ?? false;
    const consumer = options.consumer ?? 'anonymous';
    const done = this.consumers.startWaiting(queue, consumer);
    try {
      const messages = await this.backend.receive(queue, {
        max,
        waitMs,
        visibilityTimeoutMs,
        autoAck,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      this.consumers.received(queue, consumer, messages.length);
      return messages;
    } finally {
      done();
    }
  }

  async ack(queue: string, receipts: string[]): Promise<ReceiptResult[]> {
    this.checkOpen();
    await this.requireQueue(queue);
    this.checkReceiptBatch('receipts', receipts, receipts);
    return this.backend.ack(queue, receipts);
  }

  async nack(queue: string, entries: NackInput[]): Promise<ReceiptResult[]> {
    this.checkOpen();
    await this.requireQueue(queue);
    this.checkReceiptBatch('entries', entries, Array.isArray(entries) ? entries.map((e) => e?.receipt) : []);
    const normalized = entries.map((e, i) => ({
      receipt: e.receipt,
      delayMs: e.delayMs === undefined ? 0 : checkInt(`entries[${i}].delayMs`, e.delayMs, 0, QueueLimits.visibilityTimeoutMaxMs),
    }));
    return this.backend.nack(queue, normalized);
  }

  async extend(queue: string, entries: ExtendInput[]): Promise<ReceiptResult[]> {
    this.checkOpen();
    await this.requireQueue(queue);
    this.checkReceiptBatch('entries', entries, Array.isArray(entries) ? entries.map((e) => e?.receipt) : []);
    const normalized = entries.map((e, i) => ({
      receipt: e.receipt,
      visibilityTimeoutMs: checkInt(`entries[${i}].visibilityTimeoutMs`, e.visibilityTimeoutMs, 0, QueueLimits.visibilityTimeoutMaxMs),
    }));
    return this.backend.extend(queue, normalized);
  }

  async peek(queue: string, options: PeekOptions = {}): Promise<Message[]> {
    await this.requireQueue(queue);
    const max = options.max === undefined ? 10 : checkInt('max', options.max, 1, MessageLimits.peekMax);
    if (options.afterSequence !== undefined && parseSequence(options.afterSequence) === undefined) {
      throw invalidArgument('after', 'after must be a message sequence number');
    }
    return this.backend.peek(queue, options.afterSequence === undefined ? { max } : { max, afterSequence: options.afterSequence });
  }

  async redrive(deadLetterQueue: string, options: RedriveOptions = {}): Promise<{ moved: number }> {
    this.checkOpen();
    await this.requireQueue(deadLetterQueue);
    if (options.to !== undefined) {
      validateName('queue', options.to, 'to');
      await this.requireQueue(options.to, 'to');
    }
    const max = options.max === undefined ? Number.MAX_SAFE_INTEGER : checkInt('max', options.max, 1, Number.MAX_SAFE_INTEGER);
    const result = await this.backend.redrive(deadLetterQueue, options.to === undefined ? { max } : { to: options.to, max });
    this.emit(options.to === undefined ? { type: 'queue.redriven', queue: deadLetterQueue, moved: result.moved } : { type: 'queue.redriven', queue: deadLetterQueue, to: options.to, moved: result.moved });
    return result;
  }

  // ---- topics ---------------------------------------------------------------------------

  async createTopic(name: string): Promise<TopicInfo> {
    this.checkOpen();
    validateName('topic', name);
    const existing = this.topics.get(name);
    if (existing !== undefined) return existing;
    const topic: TopicInfo = { name, createdAt: this.clock.now(), subscriptions: [] };
    await this.backend.putTopic(topic);
    this.topics.set(name, topic);
    this.emit({ type: 'topic.created', topic: name });
    return topic;
  }

  async getTopic(name: string): Promise<TopicInfo> {
    return this.requireTopic(name);
  }

  async listTopics(options: ListOptions = {}): Promise<TopicInfo[]> {
    const { prefix, after, limit } = this.listOptions(options);
    return [...this.topics.values()]
      .filter((t) => (prefix === undefined || t.name.startsWith(prefix)) && (after === undefined || t.name > after))
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .slice(0, limit);
  }

  async deleteTopic(name: string): Promise<void> {
    this.checkOpen();
    this.requireTopic(name);
    await this.backend.deleteTopic(name);
    this.topics.delete(name);
    this.emit({ type: 'topic.deleted', topic: name });
  }

  async subscribe(topicName: string, queue: string, filter?: SubscriptionFilter): Promise<Subscription> {
    this.checkOpen();
    const topic = this.requireTopic(topicName);
    await this.requireQueue(queue, 'queue');
    const subscription: Subscription = { topic: topicName, queue, filter: validateFilter(filter), createdAt: this.clock.now() };
    const others = topic.subscriptions.filter((s) => s.queue !== queue);
    const next = { ...topic, subscriptions: [...others, subscription].sort((a, b) => (a.queue < b.queue ? -1 : 1)) };
    await this.backend.putTopic(next);
    this.topics.set(topicName, next);
    this.emit({ type: 'topic.subscribed', topic: topicName, queue });
    return subscription;
  }

  async unsubscribe(topicName: string, queue: string): Promise<void> {
    this.checkOpen();
    const topic = this.requireTopic(topicName);
    if (!topic.subscriptions.some((s) => s.queue === queue)) {
      throw new ChuteError('SubscriptionNotFound', `queue ${queue} is not subscribed to topic ${topicName}`, { field: 'queue' });
    }
    const next = { ...topic, subscriptions: topic.subscriptions.filter((s) => s.queue !== queue) };
    await this.backend.putTopic(next);
    this.topics.set(topicName, next);
    this.emit({ type: 'topic.unsubscribed', topic: topicName, queue });
  }

  async publish(topicName: string, message: PublishInput): Promise<PublishResult> {
    const [outcome] = await this.publishMany(topicName, [message]);
    if (outcome?.status === 'fulfilled') return outcome.value;
    throw outcome?.reason instanceof ChuteError ? asSingleEntryError(outcome.reason) : outcome?.reason;
  }

  async publishMany(topicName: string, messages: PublishInput[], places?: number[]): Promise<Array<PromiseSettledResult<PublishResult>>> {
    this.checkOpen();
    const topic = this.requireTopic(topicName);
    // Every subscriber is looked up before any message goes out, so that the messages reach the
    // backend one after another in one turn: sequence numbers, and so queue order, follow the list.
    const subscribers = new Map<string, QueueInfo | ChuteError>();
    for (const sub of topic.subscriptions) {
      subscribers.set(sub.queue, await this.requireQueue(sub.queue).catch((e: unknown) => (e instanceof ChuteError ? e : Promise.reject(e))));
    }
    const outcomes = messages.map(async (message, i): Promise<PublishResult> => {
      const field = `messages[${places?.[i] ?? i}]`;
      const routingKey = validateRoutingKey(message.routingKey, `${field}.routingKey`);
      const { routingKey: _routingKey, ...entry } = message;
      const headers = entry.headers ?? {};
      const targets = [];
      for (const sub of topic.subscriptions) {
        if (!filterMatches(sub.filter, routingKey, headers)) continue;
        // Every subscription was looked up above.
        const info = subscribers.get(sub.queue) as QueueInfo | ChuteError;
        if (info instanceof ChuteError) throw info;
        targets.push({ queue: sub.queue, entry: normalizeSend(info.config, entry, field) });
      }
      if (targets.length === 0) return { deliveredTo: [] };
      return { deliveredTo: await this.backend.sendToMany(targets) };
    });
    return Promise.allSettled(outcomes);
  }

  // ---- the rest -------------------------------------------------------------------------

  listConsumers(queue?: string): ConsumerInfo[] {
    return this.consumers.list(queue);
  }

  /** Commit counters of the storage engine, for metrics. */
  storageStats(): StorageStats {
    return this.backend.storageStats();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.backend.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new ChuteError('ShuttingDown', 'the broker is shutting down');
  }

  private async requireQueue(name: string, field = 'queue'): Promise<QueueInfo> {
    validateName('queue', name, field);
    const info = await this.backend.getQueue(name);
    if (info === undefined) throw new ChuteError('QueueNotFound', `queue ${name} does not exist`, { field });
    return info;
  }

  private requireTopic(name: string): TopicInfo {
    validateName('topic', name, 'topic');
    const topic = this.topics.get(name);
    if (topic === undefined) throw new ChuteError('TopicNotFound', `topic ${name} does not exist`, { field: 'topic' });
    return topic;
  }

  private async allQueues(): Promise<QueueInfo[]> {
    const out: QueueInfo[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.backend.listQueues(after === undefined ? { limit: LIST_LIMIT_MAX } : { after, limit: LIST_LIMIT_MAX });
      out.push(...page);
      if (page.length < LIST_LIMIT_MAX) return out;
      after = (page[page.length - 1] as QueueInfo).name;
    }
  }

  /** The dead-letter queue must exist, and following dead-letter links from it must not come back. */
  private async checkDeadLetterTarget(name: string, config: QueueConfig): Promise<void> {
    const target = config.deadLetterQueue;
    if (target === null) return;
    if (target === name) throw new ChuteError('DeadLetterCycle', `queue ${name} cannot be its own dead-letter queue`, { field: 'deadLetterQueue' });
    const byName = new Map((await this.allQueues()).map((q) => [q.name, q]));
    const dlq = byName.get(target);
    if (dlq === undefined) {
      throw new ChuteError('QueueNotFound', `dead-letter queue ${target} does not exist; create it first`, { field: 'deadLetterQueue' });
    }
    if (dlq.config.fifo !== config.fifo) {
      throw invalidArgument('deadLetterQueue', `the dead-letter queue of a ${config.fifo ? 'FIFO' : 'standard'} queue must be ${config.fifo ? 'FIFO' : 'standard'} too`);
    }
    const seen = new Set([name]);
    let current: string | null = target;
    while (current !== null) {
      if (seen.has(current)) {
        throw new ChuteError('DeadLetterCycle', `dead-letter queues would form a cycle: ${[...seen, current].join(' -> ')}`, { field: 'deadLetterQueue' });
      }
      seen.add(current);
      current = byName.get(current)?.config.deadLetterQueue ?? null;
    }
  }

  private checkReceiptBatch(field: string, entries: unknown, receipts: unknown[]): void {
    validateBatch(field, entries, []);
    receipts.forEach((r, i) => {
      if (typeof r !== 'string' || r.length === 0) throw invalidArgument(`${field}[${i}]`, `${field}[${i}] must hold a receipt string`);
    });
  }

  private listOptions(options: ListOptions): { prefix?: string; after?: string; limit: number } {
    const limit = options.limit === undefined ? LIST_LIMIT_DEFAULT : checkInt('limit', options.limit, 1, LIST_LIMIT_MAX);
    const out: { prefix?: string; after?: string; limit: number } = { limit };
    if (options.prefix !== undefined) out.prefix = options.prefix;
    if (options.after !== undefined) out.after = options.after;
    return out;
  }
}
