/**
 * The in-memory index entry of one message. Bodies and headers of durable queues stay on disk;
 * only this small record is held in memory, so a backlog larger than RAM still fits. It is kept
 * to eight fields and one boxed number (about 100 bytes); the queue holding it is known from the
 * index it sits in: times are small-integer offsets from the
 * send, small values share one packed integer, rare ones live in an optional side object.
 */
import type { DeadLetterInfo, Headers } from '../../core/types.js';

/** Where a message is in its lifecycle. */
export const enum MsgState {
  /** Being accepted with the rest of its batch: not in its queue yet. */
  Pending = 0,
  Ready = 1,
  Scheduled = 2,
  Leased = 3,
  /** Acked, expired, purged or moved away: any index entry still pointing here is stale. */
  Gone = 4,
}

/** Body, headers and dedup id of a message of a non-durable queue (kept in memory). */
export interface MemBody {
  body: Uint8Array;
  headers: Headers;
  dedupId: string | undefined;
}

/** Fields most messages never need, allocated on first use. */
interface Extra {
  firstDeliveredAt: number;
  leaseKey: string;
  /** The due time when it is too far from the send for the offset field (see dueAt). */
  dueAt: number;
  deadLetter: DeadLetterInfo | undefined;
  mem: MemBody | undefined;
}

const PRIORITY_MASK = 0xf;
const STATE_SHIFT = 4;
const STATE_MASK = 0x7 << STATE_SHIFT;
const HOLDS_GROUP = 1 << 7;
const COUNT_SHIFT = 8;
/** Delivery counts saturate here (23 bits of the packed integer). */
const DELIVERY_COUNT_MAX = 2 ** 23 - 1;
/** Offsets from the send kept inline (about 12 days either way); farther ones go to the side object. */
const INLINE_OFFSET_MS = 2 ** 30;
const FAR = -(2 ** 30) - 1;
/** Expiry is kept as an offset from the send; an offset must fit a small integer (about 24.8 days). */
const EXPIRY_OFFSET_MAX_MS = 2 ** 31 - 1;

/** One message in the index of its queue. */
export class Msg {
  private dueOffsetMs: number;
  private expiryOffsetMs: number;
  private packed: number;
  private extra: Extra | undefined = undefined;

  constructor(
    /** Broker-wide sequence number: the storage key and the order of the message. */
    readonly seq: number,
    readonly enqueuedAt: number,
    dueAt: number,
    expiresAt: number,
    deliveryCount: number,
    priority: number,
    /** Body size in bytes. */
    readonly size: number,
    readonly groupId: string | undefined,
  ) {
    this.dueOffsetMs = 0;
    this.expiryOffsetMs = 0;
    this.packed = priority & PRIORITY_MASK;
    this.dueAt = dueAt;
    this.expiresAt = expiresAt;
    this.deliveryCount = deliveryCount;
  }

  /** When it becomes ready (scheduled) or when its lease ends (leased). */
  get dueAt(): number {
    return this.dueOffsetMs === FAR ? (this.extra as Extra).dueAt : this.enqueuedAt + this.dueOffsetMs;
  }

  set dueAt(at: number) {
    const offset = at - this.enqueuedAt;
    if (Number.isInteger(offset) && offset > FAR && offset < INLINE_OFFSET_MS) {
      this.dueOffsetMs = offset;
    } else {
      this.dueOffsetMs = FAR;
      this.more().dueAt = at;
    }
  }

  /** Leases granted so far (saturating at about 8.4 million). */
  get deliveryCount(): number {
    return this.packed >>> COUNT_SHIFT;
  }

  set deliveryCount(n: number) {
    this.packed = (this.packed & ((1 << COUNT_SHIFT) - 1)) | (Math.min(n, DELIVERY_COUNT_MAX) << COUNT_SHIFT);
  }

  get priority(): number {
    return this.packed & PRIORITY_MASK;
  }

  get state(): MsgState {
    return (this.packed & STATE_MASK) >> STATE_SHIFT;
  }

  set state(s: MsgState) {
    this.packed = (this.packed & ~STATE_MASK) | (s << STATE_SHIFT);
  }

  /** FIFO: this message was nacked with a delay and keeps its group blocked until it is ready again. */
  get holdsGroup(): boolean {
    return (this.packed & HOLDS_GROUP) !== 0;
  }

  set holdsGroup(v: boolean) {
    this.packed = v ? this.packed | HOLDS_GROUP : this.packed & ~HOLDS_GROUP;
  }

  /** When the message expires (retention or TTL), at most about 24.8 days after its send. */
  get expiresAt(): number {
    return this.enqueuedAt + this.expiryOffsetMs;
  }

  set expiresAt(at: number) {
    this.expiryOffsetMs = Math.max(0, Math.min(EXPIRY_OFFSET_MAX_MS, at - this.enqueuedAt));
  }

  /** Epoch ms of the first lease; 0 = never leased. */
  get firstDeliveredAt(): number {
    return this.extra?.firstDeliveredAt ?? 0;
  }

  set firstDeliveredAt(at: number) {
    this.more().firstDeliveredAt = at;
  }

  /** The random key of the current lease, which its receipt must carry. */
  get leaseKey(): string {
    return this.extra?.leaseKey ?? '';
  }

  set leaseKey(key: string) {
    this.more().leaseKey = key;
  }

  get deadLetter(): DeadLetterInfo | undefined {
    return this.extra?.deadLetter;
  }

  set deadLetter(info: DeadLetterInfo | undefined) {
    if (info !== undefined || this.extra !== undefined) this.more().deadLetter = info;
  }

  /** Body and headers, for messages of non-durable queues only. */
  get mem(): MemBody | undefined {
    return this.extra?.mem;
  }

  set mem(m: MemBody | undefined) {
    if (m !== undefined || this.extra !== undefined) this.more().mem = m;
  }

  private more(): Extra {
    if (this.extra === undefined) this.extra = { firstDeliveredAt: 0, leaseKey: '', dueAt: 0, deadLetter: undefined, mem: undefined };
    return this.extra;
  }
}
