/**
 * The in-memory state of one queue: its ready index, scheduled (delayed) messages, leases,
 * dedup keys, long-poll waiters and counters. Rebuilt from the store at start.
 */
import type { TimerHandle } from '../../core/clock.js';
import type { QueueConfig, QueueInfo, QueueTotals, ReceivedMessage } from '../../core/types.js';
import { Deque } from './deque.js';
import { MinHeap } from './heap.js';
import { MsgState, type Msg } from './msg.js';
import { FifoReady, StandardReady, type ReadyIndex } from './ready-index.js';
import type { DedupRecord, QueueRecord } from './store.js';

/** A lease heap entry still stands when its message is leased with that deadline and delivery count. */
export function leaseIsLive(msg: Msg, deadline: number, deliveryCount: number): boolean {
  return msg.state === MsgState.Leased && msg.dueAt === deadline && msg.deliveryCount === deliveryCount;
}

/** A scheduled heap entry still stands while its message waits out its delay. */
export function scheduleIsLive(msg: Msg): boolean {
  return msg.state === MsgState.Scheduled;
}

/** A receive waiting for messages (long poll). */
export interface Waiter {
  max: number;
  visibilityTimeoutMs: number;
  autoAck: boolean;
  resolve(messages: ReceivedMessage[]): void;
  reject(error: unknown): void;
  timer: TimerHandle | undefined;
  cleanup(): void;
  done: boolean;
}

/**
 * The receives waiting on a queue (long polls), in the order they came, which is the order they
 * are served in. A wait that ends without messages (its time is up, it was aborted, the queue or
 * the broker closed) is only marked done where it stands; the line drops done waiters when they
 * reach its front, and all at once, in one pass, when they are more than half of it. Ending each
 * of N waits so costs O(1) amortized: taking each out of the middle of the line would cost O(N),
 * and ending 10,000 waits (a channel closing with its receives) would hold the event loop for
 * seconds.
 */
export class WaiterLine {
  private readonly line = new Deque<Waiter>();
  /** Waiters of the line marked done. */
  private ended = 0;

  /** Receives still waiting. */
  get length(): number {
    return this.line.length - this.ended;
  }

  /** Adds a waiter at the back. */
  push(waiter: Waiter): void {
    this.line.push(waiter);
  }

  /** Takes out the first waiter still waiting, or undefined when none is. */
  shift(): Waiter | undefined {
    for (;;) {
      const waiter = this.line.shift();
      if (waiter === undefined || !waiter.done) return waiter;
      this.ended--;
    }
  }

  /** Puts back at the front a waiter just taken out that could not be served yet. */
  unshift(waiter: Waiter): void {
    this.line.unshift(waiter);
  }

  /** Marks done a waiter of this line whose wait ended: it leaves the line later (see the class). */
  end(waiter: Waiter): void {
    waiter.done = true;
    this.ended++;
    if (this.ended * 2 > this.line.length) {
      this.line.retain((w) => !w.done);
      this.ended = 0;
    }
  }

  /** Takes out every waiter still waiting, front first, and leaves the line empty. */
  drain(): Waiter[] {
    const out: Waiter[] = [];
    for (let w = this.shift(); w !== undefined; w = this.shift()) out.push(w);
    return out;
  }
}

/** One queue's state. */
export class QueueState {
  readonly id: number;
  readonly name: string;
  readonly createdAt: number;
  readonly ready: ReadyIndex;
  /** Delayed messages by the time they become ready. */
  readonly scheduled = new MinHeap<Msg>(scheduleIsLive);
  /** Leases by deadline, tagged with the delivery count; entries whose message moved on are skipped or swept out. */
  readonly leases = new MinHeap<Msg>(leaseIsLive);
  /** Leased messages by sequence. */
  readonly leased = new Map<number, Msg>();
  /** Dedup key to the first message's id and the end of its window (insertion order ~ expiry order). */
  readonly dedup = new Map<string, DedupRecord>();
  readonly waiters = new WaiterLine();
  /** Messages held: ready + scheduled + leased (not counting sends still committing). */
  count = 0;
  /** Sends of the batch being accepted, not yet put in the queue; they count against maxLength. */
  pending = 0;
  scheduledCount = 0;
  bytes = 0;
  pendingBytes = 0;
  readonly totals: QueueTotals = {
    sent: 0,
    received: 0,
    acked: 0,
    nacked: 0,
    expired: 0,
    deadLettered: 0,
    leaseExpired: 0,
    deduplicated: 0,
    dropped: 0,
  };
  /** When a receive last asked this queue for messages (clock ms), or -Infinity. */
  lastReceiveAt = -Infinity;
  timer: TimerHandle | undefined;
  timerAt = Infinity;
  deleted = false;

  private settings: QueueConfig;
  private changedAt: number;
  /** The public view, built once per change of the settings: every request asks for it. */
  private view: QueueInfo | undefined;

  constructor(record: QueueRecord) {
    this.id = record.id;
    this.name = record.name;
    this.settings = record.config;
    this.createdAt = record.createdAt;
    this.changedAt = record.updatedAt;
    this.ready = record.config.fifo ? new FifoReady() : new StandardReady();
  }

  /** The queue's settings. */
  get config(): QueueConfig {
    return this.settings;
  }

  /** When the settings last changed. */
  get updatedAt(): number {
    return this.changedAt;
  }

  /** Replaces the settings. */
  update(config: QueueConfig, at: number): void {
    this.settings = config;
    this.changedAt = at;
    this.view = undefined;
  }

  /** The record to store. */
  record(): QueueRecord {
    return { id: this.id, name: this.name, config: this.config, createdAt: this.createdAt, updatedAt: this.updatedAt };
  }

  /** The public view: a frozen copy, shared by every caller until the settings change. */
  info(): QueueInfo {
    this.view ??= deepFreeze({ name: this.name, config: structuredClone(this.settings), createdAt: this.createdAt, updatedAt: this.changedAt });
    return this.view;
  }

  /** The earliest moment something time-driven happens in this queue. */
  nextWakeAt(): number {
    let at = Math.min(this.scheduled.peekKey(), this.leases.peekKey());
    const oldest = this.ready.oldest();
    if (oldest !== undefined) at = Math.min(at, oldest.expiresAt);
    const firstDedup = this.dedup.values().next();
    if (!firstDedup.done) at = Math.min(at, firstDedup.value.x);
    return at;
  }
}

/** Freezes an object and everything in it, so a shared view cannot be changed by one of its readers. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
