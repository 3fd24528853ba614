/**
 * One queue of the broker: sending (auto-batched), receiving, settling leases, peeking and admin.
 */
import { Coalescer, type EntryOutcome } from './coalescer.js';
import { encodeFramedEntry, type FramedOutgoing, type MessageBody } from './codec.js';
import { Consumer, type ConsumeOptions, type MessageHandler } from './consumer.js';
import { ChuteError, errorFromWire, type WireError } from './errors.js';
import { Message, ReceivedMessage, type LeaseActions } from './message.js';
import { checkIntegerOption, checkKnownOptions, checkTypeOption } from './options.js';
import { matchReceiptResults, receiptOf, toEntryOutcomes, type ReceiptLike } from './receipts.js';
import type { Transport } from './transport.js';
import type {
  PeekOptions,
  QueueConfig,
  QueueInfo,
  QueueStats,
  ReceiptOutcome,
  ReceiveOptions,
  RedriveOptions,
  SendOptions,
  SendOutcome,
  SendReceipt,
} from './types.js';
import { encodeFrame, type DecodedFrame } from './frames.js';
import { MessageBatcher, type BatchingOptions } from './message-batcher.js';
import type { FramedMessage, WireBatchResult, WireMessage, WireReceiptResult } from './wire.js';

export type { BatchingOptions } from './message-batcher.js';

/** Largest batch the broker accepts in one request (MessageLimits.batchEntriesMax). */
export const brokerBatchEntriesMax = 1000;

const receiveOptionNames: ReadonlySet<string> = new Set(['max', 'waitMs', 'visibilityTimeoutMs', 'autoAck', 'signal', 'pollId']);

/** One message of an explicit {@link Queue.sendBatch}. */
export interface BatchMessage extends SendOptions {
  body: MessageBody;
}

/** What a queue needs from its client. */
export interface QueueContext {
  transport: Transport;
  batching: BatchingOptions;
  /** Called by consumers so the client can stop them on close. */
  track(consumer: Consumer): void;
}

interface NackEntry {
  receipt: string;
  delayMs?: number;
}

interface ExtendEntry {
  receipt: string;
  visibilityTimeoutMs: number;
}

/**
 * A handle on one queue. Obtain it with `chute.queue(name)`; handles are cheap and the same
 * name always returns the same handle, so sends from anywhere in a process share batches.
 */
export class Queue {
  /** The queue's name. */
  readonly name: string;
  private readonly path: string;
  private readonly sender: MessageBatcher<SendReceipt>;
  private readonly acker: Coalescer<string, void>;
  private readonly nacker: Coalescer<NackEntry, void>;
  private readonly extender: Coalescer<ExtendEntry, number | undefined>;
  private readonly lease: LeaseActions;

  /** Creates a handle; use `chute.queue(name)` instead. */
  constructor(name: string, private readonly ctx: QueueContext) {
    this.name = name;
    this.path = `/v1/queues/${encodeURIComponent(name)}`;
    this.sender = new MessageBatcher(ctx.batching, (batch) => this.postBatch(batch));
    const receiptBatch = { maxEntries: brokerBatchEntriesMax, maxWeight: Infinity, maxConcurrent: ctx.batching.maxConcurrent, weigh: () => 1 };
    this.acker = new Coalescer<string, void>({ ...receiptBatch, run: async (r) => toEntryOutcomes<void>(await this.settle('ack', { receipts: r }, r), () => undefined) });
    this.nacker = new Coalescer<NackEntry, void>({
      ...receiptBatch,
      run: async (e) => toEntryOutcomes<void>(await this.settle('nack', { entries: e }, e.map((x) => x.receipt)), () => undefined),
    });
    this.extender = new Coalescer({
      ...receiptBatch,
      run: async (e) => toEntryOutcomes(await this.settle('extend', { entries: e }, e.map((x) => x.receipt), true), (o) => o.leaseExpiresAt),
    });
    this.lease = {
      ack: (receipt) => this.acker.add(receipt),
      ackThen: (receipt, done) => this.acker.submit(receipt, done),
      nack: (receipt, delayMs) => this.nacker.add(delayMs === undefined ? { receipt } : { receipt, delayMs }),
      extend: (receipt, visibilityTimeoutMs) => this.extender.add({ receipt, visibilityTimeoutMs }),
    };
  }

  // ---- messages -------------------------------------------------------------------------------

  /**
   * Sends one message. `body` is a string (sent as UTF-8 text), bytes (Buffer / Uint8Array) or
   * any other JSON value (sent as JSON); a `content-type` header records which. Sends issued in
   * the same turn of the event loop travel together in one request; the promise resolves once
   * this message is stored (on disk for durable queues) and rejects with its own error.
   *
   * @example
   * const { id } = await chute.queue('jobs').send({ task: 'resize', file: 'a.png' });
   */
  send(body: MessageBody, options?: SendOptions): Promise<SendReceipt> {
    let outgoing: FramedOutgoing;
    try {
      outgoing = encodeFramedEntry(body, options);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.sender.add(outgoing);
  }

  /**
   * Sends many messages in as few requests as the broker allows (1000 per request) and reports
   * each one's outcome; one bad entry does not fail the others. A problem with the whole request
   * (unknown queue, unreachable broker) rejects.
   */
  async sendBatch(messages: BatchMessage[]): Promise<SendOutcome[]> {
    // A message that cannot be encoded (a wrongly typed option, a body JSON cannot hold) fails
    // alone, in its place; the others go to the broker.
    const out: Array<SendOutcome | undefined> = messages.map(() => undefined);
    const valid: Array<{ index: number; outgoing: FramedOutgoing }> = [];
    messages.forEach(({ body, ...options }, index) => {
      try {
        valid.push({ index, outgoing: encodeFramedEntry(body, options) });
      } catch (e) {
        const error = e instanceof ChuteError ? e : new ChuteError('InvalidArgument', (e as Error).message, { field: 'body' });
        out[index] = { ok: false, error };
      }
    });
    for (let i = 0; i < valid.length; i += brokerBatchEntriesMax) {
      const chunk = valid.slice(i, i + brokerBatchEntriesMax);
      const outcomes = await this.postBatch(chunk.map((v) => v.outgoing));
      outcomes.forEach((o, j) => {
        out[(chunk[j] as { index: number }).index] = o.ok ? { ok: true, ...o.value } : { ok: false, error: o.error as ChuteError };
      });
    }
    return out as SendOutcome[];
  }

  /**
   * Leases up to `max` ready messages, long-polling up to `waitMs` for the first. Each message
   * must then be acked (or nacked) before its lease ends, or it is handed out again. Aborting
   * `signal` resolves with no messages.
   */
  async receive(options: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    checkKnownOptions('receive', options, receiveOptionNames);
    checkIntegerOption('max', options.max, 1);
    checkIntegerOption('waitMs', options.waitMs, 0);
    checkIntegerOption('visibilityTimeoutMs', options.visibilityTimeoutMs, 0);
    checkTypeOption('autoAck', options.autoAck, 'boolean');
    checkTypeOption('pollId', options.pollId, 'string');
    const body: Record<string, unknown> = { bodyEncoding: 'auto' };
    if (options.max !== undefined) body.max = options.max;
    if (options.waitMs !== undefined) body.waitMs = options.waitMs;
    if (options.visibilityTimeoutMs !== undefined) body.visibilityTimeoutMs = options.visibilityTimeoutMs;
    if (options.autoAck !== undefined) body.autoAck = options.autoAck;
    if (options.pollId !== undefined) body.pollId = options.pollId;
    try {
      const res = await this.ctx.transport.request<DecodedFrame<FramedMessage>>({
        method: 'POST',
        path: `${this.path}/receive`,
        channel: { op: 'receive', queue: this.name },
        body,
        acceptFrames: true,
        idempotent: false,
        // The broker caps a long poll at 20 s; allow for the wait whatever the queue default is.
        extraTimeoutMs: options.waitMs ?? 20_000,
        // The signal only cancels the wait: messages the broker already leased for this call are
        // returned even when it is aborted meanwhile, rather than left leased to nobody.
        ...(options.signal === undefined ? {} : { waitSignal: options.signal }),
      });
      const { messages, bodies } = res.body;
      return messages.map((m, i) => new ReceivedMessage(m, bodies[i] as Buffer, this.lease));
    } catch (e) {
      if (options.signal?.aborted) return [];
      throw e;
    }
  }

  /**
   * Acknowledges leases. With one receipt (or message) it resolves when done and rejects with
   * ReceiptInvalid / LeaseExpired when the lease is stale; concurrent single acks are merged
   * into one request. With a list it resolves with each entry's outcome.
   */
  ack(target: ReceiptLike): Promise<void>;
  ack(targets: ReceiptLike[]): Promise<ReceiptOutcome[]>;
  ack(targets: ReceiptLike | ReceiptLike[]): Promise<void | ReceiptOutcome[]> {
    if (!Array.isArray(targets)) return this.acker.add(receiptOf(targets));
    return this.settleAll(targets.map(receiptOf), (chunk) => this.settle('ack', { receipts: chunk }, chunk));
  }

  /**
   * Gives leased messages back, ready again after `delayMs` (default 0). One target: resolves or
   * rejects; a list: resolves with each entry's outcome.
   */
  nack(target: ReceiptLike, options?: { delayMs?: number }): Promise<void>;
  nack(targets: ReceiptLike[], options?: { delayMs?: number }): Promise<ReceiptOutcome[]>;
  nack(targets: ReceiptLike | ReceiptLike[], options: { delayMs?: number } = {}): Promise<void | ReceiptOutcome[]> {
    if (!Array.isArray(targets)) return this.lease.nack(receiptOf(targets), options.delayMs);
    return this.settleAll(targets.map(receiptOf), (chunk) =>
      this.settle('nack', { entries: chunk.map((receipt) => (options.delayMs === undefined ? { receipt } : { receipt, delayMs: options.delayMs })) }, chunk),
    );
  }

  /**
   * Makes leases end `visibilityTimeoutMs` from now. One target: resolves with the new lease end
   * (epoch ms, broker clock); a list: resolves with each entry's outcome.
   */
  extend(target: ReceiptLike, visibilityTimeoutMs: number): Promise<number | undefined>;
  extend(targets: ReceiptLike[], visibilityTimeoutMs: number): Promise<ReceiptOutcome[]>;
  extend(targets: ReceiptLike | ReceiptLike[], visibilityTimeoutMs: number): Promise<number | undefined | ReceiptOutcome[]> {
    if (!Array.isArray(targets)) return this.lease.extend(receiptOf(targets), visibilityTimeoutMs);
    return this.settleAll(targets.map(receiptOf), (chunk) =>
      this.settle('extend', { entries: chunk.map((receipt) => ({ receipt, visibilityTimeoutMs })) }, chunk, true),
    );
  }

  /** Looks at messages in delivery order without leasing them. */
  async peek(options: PeekOptions = {}): Promise<Message[]> {
    const res = await this.ctx.transport.request<{ messages: WireMessage[] }>({
      method: 'GET',
      path: `${this.path}/messages`,
      query: { max: options.max, after: options.afterSequence },
      idempotent: true,
    });
    return (res.body?.messages ?? []).map((m) => new Message(m));
  }

  /**
   * Consumes the queue with `handler` until `stop()`: long-polls, runs up to `concurrency`
   * handlers at once, acks each message whose handler resolves and nacks (with backoff) each
   * whose handler throws, extending leases while handlers run. See {@link ConsumeOptions}.
   *
   * @example
   * const consumer = chute.queue('jobs').consume(async (m) => resize(m.json()), { concurrency: 8 });
   * process.on('SIGTERM', () => void consumer.stop());
   */
  consume(handler: MessageHandler, options: ConsumeOptions = {}): Consumer {
    const consumer = new Consumer(this, handler, options, this.lease);
    this.ctx.track(consumer);
    consumer.start();
    return consumer;
  }

  /**
   * Ends the wait of the receive named `pollId` (see {@link ReceiveOptions.pollId}): it answers at
   * once, with the messages it holds, if any. Unlike aborting its signal, this never loses an
   * answer the broker is writing. An end that finds no waiting receive (it came first, or the
   * receive has answered) makes the next receive with that id, within 10 s, answer at once: give
   * every receive its own id.
   */
  async endPoll(pollId: string): Promise<void> {
    await this.ctx.transport.request<undefined>({ method: 'POST', path: `${this.path}/polls/${encodeURIComponent(pollId)}/end`, idempotent: true });
  }

  /** Removes every message (ready, scheduled and leased); resolves with how many. */
  async purge(): Promise<number> {
    const res = await this.ctx.transport.request<{ purged: number }>({ method: 'POST', path: `${this.path}/purge`, idempotent: false });
    return res.body.purged;
  }

  /** Counts and totals of the queue. */
  async stats(): Promise<QueueStats> {
    return (await this.ctx.transport.request<QueueStats>({ method: 'GET', path: `${this.path}/stats`, idempotent: true })).body;
  }

  /**
   * Moves messages out of this dead-letter queue back to their source queue (or `to`);
   * resolves with how many moved.
   */
  async redrive(options: RedriveOptions = {}): Promise<number> {
    const body: RedriveOptions = {};
    if (options.to !== undefined) body.to = options.to;
    if (options.max !== undefined) body.max = options.max;
    const res = await this.ctx.transport.request<{ moved: number }>({ method: 'POST', path: `${this.path}/redrive`, body, idempotent: false });
    return res.body.moved;
  }

  // ---- admin ----------------------------------------------------------------------------------

  /**
   * Creates the queue. Creating it again with the same settings returns it unchanged; with
   * different settings it rejects with QueueAlreadyExists.
   */
  async create(config: Partial<QueueConfig> = {}): Promise<QueueInfo> {
    return (await this.ctx.transport.request<QueueInfo>({ method: 'PUT', path: this.path, body: config, idempotent: true })).body;
  }

  /** Changes settings (`fifo` and `durable` cannot change). */
  async update(patch: Partial<QueueConfig>): Promise<QueueInfo> {
    return (await this.ctx.transport.request<QueueInfo>({ method: 'PATCH', path: this.path, body: patch, idempotent: true })).body;
  }

  /** The queue's settings; rejects with QueueNotFound when it does not exist. */
  async get(): Promise<QueueInfo> {
    return (await this.ctx.transport.request<QueueInfo>({ method: 'GET', path: this.path, idempotent: true })).body;
  }

  /** Deletes the queue and its messages. */
  async delete(): Promise<void> {
    await this.ctx.transport.request<undefined>({ method: 'DELETE', path: this.path, idempotent: false });
  }

  /** Names of the queues that dead-letter into this one. */
  async deadLetterSources(): Promise<string[]> {
    const res = await this.ctx.transport.request<{ queues: string[] }>({ method: 'GET', path: `${this.path}/dead-letter-sources`, idempotent: true });
    return res.body.queues;
  }

  /** Resolves once every send, ack, nack and extend issued so far has settled. */
  async flush(): Promise<void> {
    await Promise.all([this.sender.drain(), this.acker.drain(), this.nacker.drain(), this.extender.drain()]);
  }

  // ---- internals ------------------------------------------------------------------------------

  private async postBatch(outgoing: FramedOutgoing[]): Promise<Array<EntryOutcome<SendReceipt>>> {
    // The entries were built by this client for this one request, so they are numbered in place.
    const entries = outgoing.map((o, i) => Object.assign(o.entry, { id: String(i) }));
    const res = await this.ctx.transport.request<{ results: WireBatchResult[] }>({
      method: 'POST',
      path: `${this.path}/messages`,
      channel: { op: 'send', queue: this.name },
      frame: encodeFrame(entries, outgoing.map((o) => o.body)),
      // With a dedup id on every entry a repeat stores nothing new, so a reset connection can be retried.
      idempotent: entries.every((e) => e.dedupId !== undefined),
    });
    const results = res.body?.results;
    if (!Array.isArray(results)) throw new ChuteError('BadResponse', 'the broker answered a batch send without results');
    const byId = new Map<string, WireBatchResult>();
    for (const r of results) if (r.id !== undefined) byId.set(r.id, r);
    return entries.map((_, i): EntryOutcome<SendReceipt> => {
      const r = byId.get(String(i)) ?? results[i];
      if (r === undefined) return { ok: false, error: new ChuteError('BadResponse', `no result for batch entry ${i}`) };
      if (!r.ok) return { ok: false, error: errorFromWire(asOwnEntry(r.error)) };
      return { ok: true, value: { id: r.messageId, sequence: r.sequence, duplicate: r.duplicate } };
    });
  }

  private async settle(op: 'ack' | 'nack' | 'extend', body: unknown, receipts: string[], idempotent = false): Promise<ReceiptOutcome[]> {
    const res = await this.ctx.transport.request<{ results: WireReceiptResult[] }>({ method: 'POST', path: `${this.path}/${op}`, channel: { op, queue: this.name }, body, idempotent });
    return matchReceiptResults(receipts, res.body?.results);
  }

  private async settleAll(receipts: string[], run: (chunk: string[]) => Promise<ReceiptOutcome[]>): Promise<ReceiptOutcome[]> {
    const out: ReceiptOutcome[] = [];
    for (let i = 0; i < receipts.length; i += brokerBatchEntriesMax) {
      const chunk = receipts.slice(i, i + brokerBatchEntriesMax);
      try {
        out.push(...(await run(chunk)));
      } catch (e) {
        // The broker answers a one-receipt request that fails with the error itself, not a list.
        if (chunk.length === 1 && e instanceof ChuteError && e.status !== undefined && e.status !== 404) {
          out.push({ ok: false, receipt: chunk[0] as string, error: e });
        } else throw e;
      }
    }
    return out;
  }
}

/**
 * A batch entry's error names its place in the request the client built (`messages[3].body`); the
 * caller sent one message, so name the field as the caller knows it (`body`).
 */
function asOwnEntry(error: WireError): WireError {
  const prefix = /^messages\[\d+\]\./;
  if (error.field === undefined || !prefix.test(error.field)) return error;
  return { ...error, field: error.field.replace(prefix, ''), message: error.message.replace(/messages\[\d+\]\./g, '') };
}
