/**
 * The embedded backend: queue state in memory (rebuilt at start), messages in LMDB. Every state
 * change that must survive a crash is written before the operation resolves; sends become
 * visible to consumers only once committed.
 */
import type { Backend, NormalizedReceive, NormalizedSend, StorageStats } from '../../core/backend.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { ChuteError } from '../../core/errors.js';
import { decodeReceipt, encodeReceipt, formatSequence, messageId, newLeaseKey, parseSequence } from '../../core/ids.js';
import { MessageLimits } from '../../core/limits.js';
import type {
  DeadLetterInfo,
  Message,
  QueueConfig,
  QueueInfo,
  QueueStats,
  ReceiptResult,
  ReceivedMessage,
  SendResult,
  TopicInfo,
} from '../../core/types.js';
import { lockDataDir } from './data-file.js';
import { MinHeap } from './heap.js';
import { Msg, MsgState } from './msg.js';
import { QueueState, leaseIsLive, scheduleIsLive, type Waiter } from './queue-state.js';
import { BODY_CACHE_BYTES_MAX, Store } from './store.js';

/** How many expired messages one timer tick removes at most, so a tick stays short. */
const EXPIRE_PER_TICK_MAX = 10_000;
/** How many messages one redrive commit moves. */
const REDRIVE_CHUNK = 1000;
/** Suggested client back-off when a queue is full. */
const QUEUE_FULL_RETRY_MS = 1000;
/**
 * How long a lease's new delivery count waits before it is written. Most leases of a busy queue
 * end with an ack within this time, and then the write is never needed: one storage write per
 * message saved. A crash inside the window hands the message out again with its count one lower.
 */
const COUNT_WRITE_DELAY_MS = 1000;
/** A queue polled within this time counts as consumed: new bodies are kept for their first delivery. */
const RECENT_RECEIVE_MS = 1000;

/** Options of the embedded backend. */
export interface EmbeddedBackendOptions {
  dataDir: string;
  clock: Clock;
  /** Called with errors that have no caller to go to (failed background writes). */
  onError?: (error: unknown) => void;
}

/** A send accepted into a queue, waiting for its commit. */
interface Accepted {
  q: QueueState;
  msg: Msg | undefined;
  result: SendResult;
  dedupKey: string | undefined;
}

/** The default backend: one process, one data directory. */
export class EmbeddedBackend implements Backend {
  private readonly byName = new Map<string, QueueState>();
  private readonly byId = new Map<number, QueueState>();
  private nextSeq = 1;
  private nextQueueId = 1;
  private closed = false;
  /** Leased messages whose new delivery count is not written yet, with the queue they were leased from. */
  private readonly countWrites = new Map<Msg, QueueState>();
  private countWriteTimer: TimerHandle | undefined;

  private constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly unlock: () => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Opens (or creates) the data directory and rebuilds the in-memory state from it. */
  static async open(options: EmbeddedBackendOptions): Promise<EmbeddedBackend> {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(options.dataDir, { recursive: true });
    const unlock = lockDataDir(options.dataDir);
    try {
      const store = new Store(options.dataDir);
      const backend = new EmbeddedBackend(store, options.clock, unlock, options.onError ?? (() => {}));
      backend.recover();
      return backend;
    } catch (e) {
      unlock();
      throw e;
    }
  }

  // ---- recovery ---------------------------------------------------------------------------

  private recover(): void {
    for (const record of this.store.loadQueues()) {
      const q = new QueueState(record);
      this.byName.set(q.name, q);
      this.byId.set(q.id, q);
    }
    const now = this.clock.now();
    for (const { queueId, msg } of this.store.loadMessages()) {
      const q = this.byId.get(queueId);
      if (q === undefined) {
        throw new ChuteError('StorageError', `data file ${this.store.path} holds message ${msg.seq} of queue id ${queueId}, which does not exist; restore the data directory from a backup`);
      }
      q.count++;
      q.bytes += msg.size;
      if (msg.dueAt > now) {
        this.schedule(q, msg);
        if (msg.holdsGroup) q.ready.hold(msg.groupId);
      } else {
        msg.holdsGroup = false;
        this.makeReady(q, msg);
      }
    }
    this.nextSeq = this.store.loadNextSeq();
    this.nextQueueId = this.store.nextQueueId();
    const dedup = [...this.store.loadDedup()].sort((a, b) => a.record.x - b.record.x);
    for (const d of dedup) {
      const q = this.byId.get(d.queueId);
      if (q !== undefined && d.record.x > now) q.dedup.set(d.key, d.record);
    }
    for (const q of this.byName.values()) this.rearm(q);
  }

  // ---- queues -----------------------------------------------------------------------------

  async createQueue(name: string, config: QueueConfig): Promise<QueueInfo> {
    if (this.byName.has(name)) throw new ChuteError('QueueAlreadyExists', `queue ${name} already exists`, { field: 'name' });
    const now = this.clock.now();
    const q = new QueueState({ id: this.nextQueueId++, name, config, createdAt: now, updatedAt: now });
    this.byName.set(name, q);
    this.byId.set(q.id, q);
    await this.store.putQueue(q.record());
    return q.info();
  }

  async updateQueue(name: string, config: QueueConfig): Promise<QueueInfo> {
    const q = this.state(name);
    q.update(config, this.clock.now());
    await this.store.putQueue(q.record());
    this.rearm(q);
    return q.info();
  }

  async getQueue(name: string): Promise<QueueInfo | undefined> {
    return this.byName.get(name)?.info();
  }

  async listQueues(options: { prefix?: string; after?: string; limit: number }): Promise<QueueInfo[]> {
    const { prefix, after, limit } = options;
    return [...this.byName.keys()]
      .filter((n) => (prefix === undefined || n.startsWith(prefix)) && (after === undefined || n > after))
      .sort()
      .slice(0, limit)
      .map((n) => (this.byName.get(n) as QueueState).info());
  }

  async deleteQueue(name: string): Promise<void> {
    const q = this.state(name);
    q.deleted = true;
    q.timer?.cancel();
    this.byName.delete(name);
    this.byId.delete(q.id);
    this.wakeAllWaiters(q);
    const seqs = q.config.durable ? this.heldMessages(q).map((m) => m.seq) : [];
    await this.store.removeQueue(name, q.id, seqs);
  }

  async purgeQueue(name: string): Promise<number> {
    const q = this.state(name);
    const all = this.heldMessages(q);
    q.ready.clear();
    q.scheduled.clear();
    q.leases.clear();
    q.leased.clear();
    q.count = 0;
    q.bytes = 0;
    q.scheduledCount = 0;
    const writes: Array<Promise<unknown>> = [];
    for (const msg of all) {
      msg.state = MsgState.Gone;
      if (q.config.durable) writes.push(this.store.removeMessage(msg.seq));
    }
    await Promise.all(writes);
    this.rearm(q);
    return all.length;
  }

  async queueStats(name: string): Promise<QueueStats> {
    const q = this.state(name);
    this.tick(q);
    const now = this.clock.now();
    const oldest = q.ready.oldest();
    const dlq = q.config.deadLetterQueue === null ? undefined : this.byName.get(q.config.deadLetterQueue);
    return {
      name,
      durable: q.config.durable,
      fifo: q.config.fifo,
      ready: q.ready.count,
      leased: q.leased.size,
      scheduled: q.scheduledCount,
      deadLettered: dlq?.count ?? 0,
      total: q.count,
      bytes: q.bytes,
      oldestReadyAgeMs: oldest === undefined ? 0 : Math.max(0, now - oldest.enqueuedAt),
      totals: { ...q.totals },
    };
  }

  // ---- sending ----------------------------------------------------------------------------

  async send(queue: string, entries: NormalizedSend[]): Promise<SendResult[]> {
    const q = this.state(queue);
    this.tick(q);
    const now = this.clock.now();
    const writes: Array<Promise<unknown>> = [];
    const accepted = entries.map((entry) => this.accept(q, entry, now, writes));
    await this.commitAccepted(accepted, writes);
    return accepted.map((a) => a.result);
  }

  async sendToMany(targets: Array<{ queue: string; entry: NormalizedSend }>): Promise<Array<{ queue: string; id: string; duplicate: boolean }>> {
    const now = this.clock.now();
    const states = targets.map((t) => this.state(t.queue));
    // Check every queue that refuses when full before storing anything: all or none.
    states.forEach((q, i) => {
      const entry = (targets[i] as { entry: NormalizedSend }).entry;
      this.tick(q);
      if (q.config.overflow === 'reject' && !this.isDuplicate(q, entry, now) && this.overLimit(q, entry.body.byteLength)) throw this.queueFull(q);
    });
    const writes: Array<Promise<unknown>> = [];
    const accepted = targets.map((t, i) => this.accept(states[i] as QueueState, t.entry, now, writes));
    const failed = accepted.find((a) => !a.result.ok);
    if (failed !== undefined && !failed.result.ok) {
      // Only a drop policy with nothing left to drop can get here; undo the others before their commit.
      for (const a of accepted) this.abandon(a);
      throw failed.result.error;
    }
    await this.commitAccepted(accepted, writes);
    return accepted.map((a) => {
      const r = a.result as Extract<SendResult, { ok: true }>;
      return { queue: a.q.name, id: r.id, duplicate: r.duplicate };
    });
  }

  private isDuplicate(q: QueueState, entry: NormalizedSend, now: number): boolean {
    if (entry.dedupKey === undefined) return false;
    const seen = q.dedup.get(entry.dedupKey);
    return seen !== undefined && seen.x > now;
  }

  /** Takes one entry into a queue: a duplicate answer, a refusal, or a message waiting for its commit. */
  private accept(q: QueueState, entry: NormalizedSend, now: number, writes: Array<Promise<unknown>>): Accepted {
    const base = entry.entryId === undefined ? {} : { entryId: entry.entryId };
    if (entry.dedupKey !== undefined) {
      const seen = q.dedup.get(entry.dedupKey);
      if (seen !== undefined && seen.x > now) {
        q.totals.deduplicated++;
        return { q, msg: undefined, dedupKey: undefined, result: { ok: true, ...base, id: seen.id, sequence: formatSequence(seen.s), duplicate: true } };
      }
    }
    const size = entry.body.byteLength;
    const refused = this.makeRoom(q, size, now, writes);
    if (refused !== undefined) return { q, msg: undefined, dedupKey: undefined, result: { ok: false, ...base, error: refused } };

    const seq = this.nextSeq++;
    const retentionEnd = now + q.config.retentionMs;
    const expiresAt = entry.ttlMs === null ? retentionEnd : Math.min(retentionEnd, now + entry.ttlMs);
    const msg = new Msg(seq, now, now + entry.delayMs, expiresAt, 0, entry.priority, size, entry.groupId);
    const id = messageId(now, seq);
    if (q.config.durable) {
      this.store.reserveSeq(seq);
      writes.push(this.store.putMessage(q.id, msg, entry.body, entry.headers, entry.dedupId, this.receivedSoon(q, entry, now)));
    } else {
      msg.mem = { body: entry.body, headers: entry.headers, dedupId: entry.dedupId };
    }
    if (entry.dedupKey !== undefined) {
      // Remembered at once, so that a duplicate sent while this one commits is caught too.
      const record = { id, s: seq, x: now + q.config.dedupWindowMs };
      q.dedup.set(entry.dedupKey, record);
      if (q.config.durable) writes.push(this.store.putDedup(q.id, entry.dedupKey, record));
    }
    q.pending++;
    q.pendingBytes += size;
    return { q, msg, dedupKey: entry.dedupKey, result: { ok: true, ...base, id, sequence: formatSequence(seq), duplicate: false } };
  }

  /**
   * True when a new message is likely to be received within moments, so that its body is worth
   * keeping in memory for that first delivery: it is due at once, the queue has consumers (one
   * polled within the last second) and its backlog would be received before newer sends push the
   * body out of the cache. A queue filling up with nobody consuming keeps nothing in memory.
   */
  private receivedSoon(q: QueueState, entry: NormalizedSend, now: number): boolean {
    const consumed = q.waiters.length > 0 || now - q.lastReceiveAt < RECENT_RECEIVE_MS;
    return consumed && entry.delayMs === 0 && q.bytes + q.pendingBytes + entry.body.byteLength <= BODY_CACHE_BYTES_MAX;
  }

  /**
   * Makes accepted sends visible, then waits for their commit, as RabbitMQ does with persistent
   * messages: a consumer may get a message before its producer's confirm, which still waits for
   * the flush. A crash before the commit loses only sends that were never confirmed, which their
   * producer sends again (at least once); an ack is flushed after the send it settles. Waiting for
   * the commit first would put a disk flush, and any stall of the writer thread, into every
   * message's end-to-end latency.
   */
  private async commitAccepted(accepted: Accepted[], writes: Array<Promise<unknown>>): Promise<void> {
    this.makeVisible(accepted);
    try {
      await Promise.all(writes);
    } catch (e) {
      // The messages stay in memory (some may be delivered already) but are not on disk: their
      // dedup keys go, so that the producer's retry is stored anew instead of answered as a duplicate.
      for (const a of accepted) if (a.dedupKey !== undefined) a.q.dedup.delete(a.dedupKey);
      throw new ChuteError('StorageError', `the write could not be committed, so the messages will not survive a restart (they may still be delivered once): ${(e as Error).message}`);
    }
  }

  /** Puts accepted sends into their queues (ready or scheduled) and hands them to waiting polls. */
  private makeVisible(accepted: Accepted[]): void {
    const touched = new Set<QueueState>();
    const now = this.clock.now();
    for (const { q, msg } of accepted) {
      if (msg === undefined) continue;
      q.pending--;
      q.pendingBytes -= msg.size;
      q.count++;
      q.bytes += msg.size;
      q.totals.sent++;
      if (msg.dueAt > now) this.schedule(q, msg);
      else this.makeReady(q, msg);
      touched.add(q);
    }
    for (const q of touched) {
      this.pump(q);
      this.rearm(q);
    }
  }

  /** Forgets an accepted send whose commit will not happen. */
  private abandon(a: Accepted): void {
    if (a.msg === undefined) return;
    a.q.pending--;
    a.q.pendingBytes -= a.msg.size;
    if (a.dedupKey !== undefined) a.q.dedup.delete(a.dedupKey);
    a.msg.state = MsgState.Gone;
  }

  private overLimit(q: QueueState, size: number): boolean {
    const { maxLength, maxBytes } = q.config;
    return (maxLength !== null && q.count + q.pending + 1 > maxLength) || (maxBytes !== null && q.bytes + q.pendingBytes + size > maxBytes);
  }

  /** Applies the overflow policy until a message of `size` bytes fits; returns the refusal if it cannot. */
  private makeRoom(q: QueueState, size: number, now: number, writes: Array<Promise<unknown>>): ChuteError | undefined {
    if (q.config.maxBytes !== null && size > q.config.maxBytes) return this.queueFull(q);
    while (this.overLimit(q, size)) {
      if (q.config.overflow === 'reject') return this.queueFull(q);
      const victim = q.ready.removeOldest();
      if (victim === undefined) return this.queueFull(q);
      if (q.config.overflow === 'drop-oldest') {
        q.totals.dropped++;
        writes.push(this.discard(q, victim));
      } else {
        writes.push(this.deadLetter(q, victim, 'overflow', now));
      }
    }
    return undefined;
  }

  private queueFull(q: QueueState): ChuteError {
    const { maxLength, maxBytes } = q.config;
    const limit = maxLength !== null && q.count + q.pending >= maxLength ? maxLength : (maxBytes ?? maxLength ?? 0);
    const field = maxLength !== null && q.count + q.pending >= maxLength ? 'maxLength' : 'maxBytes';
    return new ChuteError('QueueFull', `queue ${q.name} is full (${field} ${limit}); retry later or consume first`, {
      field,
      limit,
      retryAfterMs: QUEUE_FULL_RETRY_MS,
    });
  }

  // ---- receiving --------------------------------------------------------------------------

  async receive(queue: string, options: NormalizedReceive): Promise<ReceivedMessage[]> {
    const q = this.state(queue);
    this.tick(q);
    const now = this.clock.now();
    q.lastReceiveAt = now;
    const msgs = q.waiters.length === 0 || options.waitMs === 0 ? this.take(q, options.max, now) : [];
    this.rearm(q);
    if (msgs.length > 0 || options.waitMs === 0 || this.closed) return this.lease(q, msgs, options.visibilityTimeoutMs, options.autoAck, now);
    return new Promise<ReceivedMessage[]>((resolve, reject) => {
      const waiter: Waiter = {
        max: options.max,
        visibilityTimeoutMs: options.visibilityTimeoutMs,
        autoAck: options.autoAck,
        resolve,
        reject,
        timer: undefined,
        done: false,
        cleanup: () => {
          waiter.timer?.cancel();
          options.signal?.removeEventListener('abort', onAbort);
        },
      };
      // A poll aborted before it waits ends at once and never joins the line.
      if (options.signal?.aborted === true) {
        resolve([]);
        return;
      }
      const onAbort = (): void => this.finishWaiter(q, waiter);
      q.waiters.push(waiter);
      waiter.timer = this.clock.setTimer(options.waitMs, () => this.finishWaiter(q, waiter));
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Ends a long poll of the line with nothing (timeout, abort). O(1) amortized: the line only marks
   * it done (see WaiterLine), so ending thousands of waits at once costs no more than each alone.
   */
  private finishWaiter(q: QueueState, waiter: Waiter): void {
    if (waiter.done) return;
    q.waiters.end(waiter);
    waiter.cleanup();
    waiter.resolve([]);
  }

  /** Hands ready messages to waiting long polls, in arrival order of the polls. */
  private pump(q: QueueState): void {
    while (q.waiters.length > 0 && q.ready.count > 0) {
      const waiter = q.waiters.shift() as Waiter;
      const now = this.clock.now();
      const msgs = this.take(q, waiter.max, now);
      if (msgs.length === 0) {
        q.waiters.unshift(waiter);
        break;
      }
      waiter.done = true;
      waiter.cleanup();
      this.lease(q, msgs, waiter.visibilityTimeoutMs, waiter.autoAck, now).then(waiter.resolve, waiter.reject);
    }
  }

  /** Takes up to `max` deliverable messages, disposing of expired and over-delivered ones on the way. */
  private take(q: QueueState, max: number, now: number): Msg[] {
    const writes: Array<Promise<unknown>> = [];
    const out = q.ready.take(max, MessageLimits.receiveMaxBytes, (msg) => {
      if (msg.expiresAt <= now) {
        writes.push(this.expire(q, msg, now));
        return false;
      }
      if (q.config.maxDeliveries !== null && msg.deliveryCount >= q.config.maxDeliveries) {
        writes.push(this.deadLetter(q, msg, 'maxDeliveries', now));
        return false;
      }
      return true;
    });
    for (const w of writes) w.catch(this.onError);
    return out;
  }

  /** Grants leases on taken messages (or removes them for auto-ack), persists, and builds the answer. */
  private async lease(q: QueueState, msgs: Msg[], visibilityTimeoutMs: number, autoAck: boolean, now: number): Promise<ReceivedMessage[]> {
    if (msgs.length === 0) return [];
    const out: ReceivedMessage[] = [];
    const writes: Array<Promise<unknown>> = [];
    for (const msg of msgs) {
      msg.deliveryCount++;
      if (msg.firstDeliveredAt === 0) msg.firstDeliveredAt = now;
      q.totals.received++;
      const leaseExpiresAt = autoAck ? now : now + visibilityTimeoutMs;
      msg.leaseKey = newLeaseKey();
      const receipt = encodeReceipt(msg.seq, msg.deliveryCount, msg.leaseKey);
      out.push(Object.assign(this.toMessage(msg), { receipt, leaseExpiresAt }));
      if (autoAck) {
        msg.state = MsgState.Gone;
        q.count--;
        q.bytes -= msg.size;
        q.totals.acked++;
        q.ready.release(msg.groupId);
        if (q.config.durable) writes.push(this.store.removeMessage(msg.seq));
      } else {
        msg.state = MsgState.Leased;
        msg.dueAt = leaseExpiresAt;
        q.leased.set(msg.seq, msg);
        q.leases.push(leaseExpiresAt, msg, msg.deliveryCount);
        if (q.config.durable) this.deferCountWrite(q, msg);
      }
    }
    this.rearm(q);
    // At-most-once: the removal must be on disk before anyone sees the message.
    if (autoAck) await Promise.all(writes);
    return out;
  }

  /**
   * Writes a lease's new delivery count later (COUNT_WRITE_DELAY_MS), unless the message is gone
   * by then. The answer never waits for it: were the process killed before the write, the message
   * would be handed out again (as with any lease cut short by a crash) with its count one lower.
   */
  private deferCountWrite(q: QueueState, msg: Msg): void {
    this.countWrites.set(msg, q);
    this.countWriteTimer ??= this.clock.setTimer(COUNT_WRITE_DELAY_MS, () => this.flushCountWrites());
  }

  /** Writes the delivery counts still waiting, of messages still in the queue they were leased from. */
  private flushCountWrites(): void {
    this.countWriteTimer?.cancel();
    this.countWriteTimer = undefined;
    for (const [msg, q] of this.countWrites) {
      if (msg.state !== MsgState.Gone && !q.deleted) void this.store.putMsg(q.id, msg).catch(this.onError);
    }
    this.countWrites.clear();
  }

  // ---- settling leases --------------------------------------------------------------------

  async ack(queue: string, receipts: string[]): Promise<ReceiptResult[]> {
    return this.settle(
      queue,
      receipts.map((receipt) => ({ receipt })),
      (q, msg) => {
        q.leased.delete(msg.seq);
        this.countWrites.delete(msg);
        msg.state = MsgState.Gone;
        q.count--;
        q.bytes -= msg.size;
        q.totals.acked++;
        q.ready.release(msg.groupId);
        return { write: q.config.durable ? this.store.removeMessage(msg.seq) : undefined };
      },
    );
  }

  async nack(queue: string, entries: Array<{ receipt: string; delayMs: number }>): Promise<ReceiptResult[]> {
    return this.settle(queue, entries, (q, msg, { delayMs }, now) => {
      q.totals.nacked++;
      if (delayMs === 0 || this.overDelivered(q, msg)) return { write: this.endLease(q, msg, now) };
      // Back off: the message waits out its delay; in a FIFO queue its group stays blocked meanwhile.
      q.leased.delete(msg.seq);
      msg.dueAt = now + delayMs;
      msg.holdsGroup = q.config.fifo;
      this.schedule(q, msg);
      return { write: q.config.durable ? this.store.putMsg(q.id, msg) : undefined };
    });
  }

  async extend(queue: string, entries: Array<{ receipt: string; visibilityTimeoutMs: number }>): Promise<ReceiptResult[]> {
    return this.settle(queue, entries, (q, msg, { visibilityTimeoutMs }, now) => {
      if (visibilityTimeoutMs === 0) {
        // A zero lease hands the message back at once, like SQS ChangeMessageVisibility 0.
        return { write: this.endLease(q, msg, now), leaseExpiresAt: now };
      }
      msg.dueAt = now + visibilityTimeoutMs;
      q.leases.push(msg.dueAt, msg, msg.deliveryCount);
      return { write: undefined, leaseExpiresAt: msg.dueAt };
    });
  }

  /**
   * The shared shape of ack, nack and extend: find each entry's lease, apply `change` to it, then
   * let waiting polls take what became ready, and resolve once every write is on disk.
   */
  private async settle<E extends { receipt: string }>(
    queue: string,
    entries: E[],
    change: (q: QueueState, msg: Msg, entry: E, now: number) => { write: Promise<unknown> | undefined; leaseExpiresAt?: number },
  ): Promise<ReceiptResult[]> {
    const q = this.state(queue);
    this.tick(q);
    const now = this.clock.now();
    const writes: Array<Promise<unknown>> = [];
    const results = entries.map((entry): ReceiptResult => {
      const found = this.findLease(q, entry.receipt);
      if (found instanceof ChuteError) return { ok: false, receipt: entry.receipt, error: found };
      const { write, leaseExpiresAt } = change(q, found, entry, now);
      if (write !== undefined) writes.push(write);
      return leaseExpiresAt === undefined ? { ok: true, receipt: entry.receipt } : { ok: true, receipt: entry.receipt, leaseExpiresAt };
    });
    this.pump(q);
    this.rearm(q);
    await Promise.all(writes);
    return results;
  }

  /** The leased message a receipt names in this queue, or the error explaining why there is none. */
  private findLease(q: QueueState, receipt: string): Msg | ChuteError {
    const parts = decodeReceipt(receipt);
    const msg = parts === undefined ? undefined : q.leased.get(parts.seq);
    // Never issued: malformed, a message number not handed out yet, a delivery that has not
    // happened, or the current lease with the wrong key. A receipt naming a lease that is not
    // current is answered as stale, since ended leases are not remembered.
    if (
      parts === undefined ||
      parts.seq >= this.nextSeq ||
      (msg !== undefined && (parts.deliveryCount > msg.deliveryCount || (msg.deliveryCount === parts.deliveryCount && msg.leaseKey !== parts.leaseKey)))
    ) {
      return new ChuteError('ReceiptInvalid', 'the receipt is malformed or was never issued for a lease of this queue', { field: 'receipt' });
    }
    if (msg === undefined || msg.deliveryCount !== parts.deliveryCount) {
      return new ChuteError(
        'LeaseExpired',
        `the lease of this receipt on queue ${q.name} has ended (it expired, was acked or nacked, the message was delivered again, or the broker restarted); a stale receipt cannot settle a later lease`,
        { field: 'receipt' },
      );
    }
    return msg;
  }


  private overDelivered(q: QueueState, msg: Msg): boolean {
    return q.config.maxDeliveries !== null && msg.deliveryCount >= q.config.maxDeliveries;
  }

  /** A lease ended without ack: the message is ready again, or dead-lettered after maxDeliveries. */
  private endLease(q: QueueState, msg: Msg, now: number): Promise<unknown> | undefined {
    q.leased.delete(msg.seq);
    if (this.overDelivered(q, msg)) {
      q.ready.release(msg.groupId);
      return this.deadLetter(q, msg, 'maxDeliveries', now);
    }
    this.makeReady(q, msg);
    q.ready.release(msg.groupId);
    return undefined;
  }

  // ---- looking and moving -----------------------------------------------------------------

  async peek(queue: string, options: { max: number; afterSequence?: string }): Promise<Message[]> {
    const q = this.state(queue);
    this.tick(q);
    const after = options.afterSequence === undefined ? 0 : (parseSequence(options.afterSequence) as number);
    // Keep the `max` lowest sequences above `after` with a bounded max-heap (keys negated).
    const best = new MinHeap<Msg>();
    for (const msg of this.heldMessages(q)) {
      if (msg.seq <= after) continue;
      if (best.size < options.max) best.push(-msg.seq, msg);
      else if (-msg.seq > best.peekKey()) {
        best.pop();
        best.push(-msg.seq, msg);
      }
    }
    const picked: Msg[] = [];
    while (best.size > 0) picked.push(best.pop() as Msg);
    picked.reverse();
    // Like a receive, a peek stops once the bodies add up to receiveMaxBytes.
    let end = 0;
    for (let bytes = 0; end < picked.length && bytes < MessageLimits.receiveMaxBytes; end++) bytes += (picked[end] as Msg).size;
    return picked.slice(0, end).map((m) => this.toMessage(m));
  }

  async redrive(deadLetterQueue: string, options: { to?: string; max: number }): Promise<{ moved: number }> {
    const q = this.state(deadLetterQueue);
    let moved = 0;
    const unmovable: Msg[] = [];
    while (moved < options.max && !q.deleted) {
      const writes: Array<Promise<unknown>> = [];
      const touched = new Set<QueueState>();
      const now = this.clock.now();
      for (let i = 0; i < REDRIVE_CHUNK && moved < options.max; i++) {
        const msg = q.ready.removeOldest();
        if (msg === undefined) break;
        const target = this.byName.get(options.to ?? msg.deadLetter?.sourceQueue ?? '');
        if (target === undefined || target === q || (target.config.fifo && msg.groupId === undefined)) {
          unmovable.push(msg);
          continue;
        }
        q.count--;
        q.bytes -= msg.size;
        msg.deadLetter = undefined;
        msg.deliveryCount = 0;
        msg.expiresAt = now + target.config.retentionMs;
        writes.push(this.moveTo(q, target, msg, now));
        touched.add(target);
        moved++;
      }
      if (writes.length === 0) break;
      for (const t of touched) {
        this.pump(t);
        this.rearm(t);
      }
      await Promise.all(writes);
    }
    for (const msg of unmovable) this.makeReady(q, msg);
    this.rearm(q);
    return { moved };
  }

  /** Moves a message (already counted out of `from`) into `to` as ready, carrying its body across durability. */
  private moveTo(from: QueueState, to: QueueState, msg: Msg, now: number): Promise<unknown> {
    msg.dueAt = now;
    msg.holdsGroup = false;
    // The move writes the message's record (count included) for its new queue, or removes it.
    this.countWrites.delete(msg);
    let write: Promise<unknown>;
    if (from.config.durable && !to.config.durable) {
      msg.mem = this.store.readBody(msg);
      write = this.store.removeMessage(msg.seq);
    } else if (!from.config.durable && to.config.durable) {
      const mem = msg.mem as NonNullable<Msg['mem']>;
      msg.mem = undefined;
      write = this.store.putMessage(to.id, msg, mem.body, mem.headers, mem.dedupId);
    } else {
      write = to.config.durable ? this.store.putMsg(to.id, msg) : Promise.resolve();
    }
    to.count++;
    to.bytes += msg.size;
    this.makeReady(to, msg);
    return write;
  }

  /** Moves a message out of `q` into its dead-letter queue, recording why. */
  private deadLetter(q: QueueState, msg: Msg, reason: DeadLetterInfo['reason'], now: number): Promise<unknown> {
    const dlq = q.config.deadLetterQueue === null ? undefined : this.byName.get(q.config.deadLetterQueue);
    if (dlq === undefined) {
      // Deleting a queue that is still a dead-letter target is refused, so this is a broken invariant.
      throw new ChuteError('StorageError', `queue ${q.name} has no dead-letter queue to move message ${msg.seq} to`);
    }
    q.count--;
    q.bytes -= msg.size;
    q.totals.deadLettered++;
    msg.deadLetter = { reason, sourceQueue: q.name, at: now };
    msg.expiresAt = msg.enqueuedAt + dlq.config.retentionMs;
    const write = this.moveTo(q, dlq, msg, now);
    this.pump(dlq);
    this.rearm(dlq);
    return write;
  }

  /** A message past its retention or TTL: dead-lettered or dropped, per the queue's expiry policy. */
  private expire(q: QueueState, msg: Msg, now: number): Promise<unknown> {
    q.totals.expired++;
    if (q.config.expiry === 'dead-letter' && q.config.deadLetterQueue !== null) return this.deadLetter(q, msg, 'expired', now);
    return this.discard(q, msg);
  }

  /** Removes a message (taken out of its index already) for good. */
  private discard(q: QueueState, msg: Msg): Promise<unknown> {
    msg.state = MsgState.Gone;
    q.count--;
    q.bytes -= msg.size;
    return q.config.durable ? this.store.removeMessage(msg.seq) : Promise.resolve();
  }

  // ---- topics -----------------------------------------------------------------------------

  async putTopic(topic: TopicInfo): Promise<void> {
    await this.store.putTopic(topic);
  }

  async deleteTopic(name: string): Promise<void> {
    await this.store.removeTopic(name);
  }

  async listTopics(): Promise<TopicInfo[]> {
    return this.store.loadTopics();
  }

  // ---- time -------------------------------------------------------------------------------

  /** Applies everything due by now: delays that ended, leases that expired, retention, dedup windows. */
  private tick(q: QueueState): void {
    const now = this.clock.now();
    while (q.scheduled.peekKey() <= now) {
      const msg = q.scheduled.pop() as Msg;
      if (!scheduleIsLive(msg)) continue;
      q.scheduledCount--;
      const held = msg.holdsGroup;
      msg.holdsGroup = false;
      this.makeReady(q, msg);
      if (held) q.ready.release(msg.groupId);
    }
    while (q.leases.peekKey() <= now) {
      const deadline = q.leases.peekKey();
      const tag = q.leases.peekTag();
      const msg = q.leases.pop() as Msg;
      if (!leaseIsLive(msg, deadline, tag)) continue;
      q.totals.leaseExpired++;
      this.endLease(q, msg, now)?.catch(this.onError);
    }
    for (let i = 0; i < EXPIRE_PER_TICK_MAX; i++) {
      const oldest = q.ready.oldest();
      if (oldest === undefined || oldest.expiresAt > now) break;
      q.ready.removeOldest();
      this.expire(q, oldest, now).catch(this.onError);
    }
    for (const [key, record] of q.dedup) {
      if (record.x > now) break;
      q.dedup.delete(key);
      if (q.config.durable) this.store.removeDedup(q.id, key).catch(this.onError);
    }
  }

  /** Arms the queue's one timer for the next time-driven event. */
  private rearm(q: QueueState): void {
    if (q.deleted || this.closed) return;
    const at = q.nextWakeAt();
    if (at === q.timerAt) return;
    q.timer?.cancel();
    q.timer = undefined;
    q.timerAt = at;
    if (at === Infinity) return;
    q.timer = this.clock.setTimer(at - this.clock.now(), () => {
      q.timer = undefined;
      q.timerAt = Infinity;
      if (q.deleted || this.closed) return;
      this.tick(q);
      this.pump(q);
      this.rearm(q);
    });
  }

  // ---- helpers ----------------------------------------------------------------------------

  private state(name: string): QueueState {
    const q = this.byName.get(name);
    if (q === undefined) throw new ChuteError('QueueNotFound', `queue ${name} does not exist`, { field: 'queue' });
    return q;
  }

  private makeReady(q: QueueState, msg: Msg): void {
    msg.state = MsgState.Ready;
    q.ready.add(msg);
  }

  private schedule(q: QueueState, msg: Msg): void {
    msg.state = MsgState.Scheduled;
    q.scheduled.push(msg.dueAt, msg);
    q.scheduledCount++;
  }

  /** Every message the queue holds: ready, scheduled and leased. */
  private heldMessages(q: QueueState): Msg[] {
    const out = [...q.ready.all(), ...q.leased.values()];
    for (const msg of q.scheduled.entries()) if (scheduleIsLive(msg)) out.push(msg);
    return out;
  }

  private toMessage(msg: Msg): Message {
    const rec = msg.mem ?? this.store.readBody(msg);
    const out: Message = {
      id: messageId(msg.enqueuedAt, msg.seq),
      sequence: formatSequence(msg.seq),
      body: rec.body,
      headers: rec.headers,
      priority: msg.priority,
      enqueuedAt: msg.enqueuedAt,
      deliveryCount: msg.deliveryCount,
    };
    if (msg.groupId !== undefined) out.groupId = msg.groupId;
    if (rec.dedupId !== undefined) out.dedupId = rec.dedupId;
    if (msg.firstDeliveredAt !== 0) out.firstDeliveredAt = msg.firstDeliveredAt;
    if (msg.deadLetter !== undefined) out.deadLetter = { ...msg.deadLetter };
    return out;
  }

  /** Ends every long poll of the queue with nothing (the queue is deleted, the broker closes). */
  private wakeAllWaiters(q: QueueState): void {
    for (const w of q.waiters.drain()) {
      w.done = true;
      w.cleanup();
      w.resolve([]);
    }
  }

  storageStats(): StorageStats {
    return this.store.storageStats();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const q of this.byName.values()) {
      q.timer?.cancel();
      this.wakeAllWaiters(q);
    }
    this.flushCountWrites();
    await this.store.close();
    this.unlock();
  }
}
