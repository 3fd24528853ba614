/**
 * The ready messages of one queue, in hand-out order. A standard queue hands out by priority
 * (9 first), then by sequence; a FIFO queue hands out groups, strictly in sequence within a group,
 * and never a message of a group while another message of that group is leased.
 */
import { Deque } from './deque.js';
import { MinHeap } from './heap.js';
import type { Msg } from './msg.js';

/**
 * Decides what to do with a message about to be handed out: true to hand it out, false when the
 * caller disposed of it (expired or dead-lettered) and the index should move on.
 */
export type Deliverable = (msg: Msg) => boolean;

/** The ready set of a queue. */
export interface ReadyIndex {
  /** Number of ready messages. */
  readonly count: number;
  /** Adds a message that just became ready. */
  add(msg: Msg): void;
  /** Takes up to `max` messages in hand-out order; for FIFO, marks their groups held. */
  /**
   * Takes up to `max` deliverable messages in delivery order, stopping once their bodies add up
   * to `maxBytes` or more (so at least one message whatever its size).
   */
  take(max: number, maxBytes: number, deliverable: Deliverable): Msg[];
  /** The ready message with the lowest sequence, without removing it. */
  oldest(): Msg | undefined;
  /** Removes and returns the ready message with the lowest sequence. */
  removeOldest(): Msg | undefined;
  /** FIFO: a message of the group stops being leased or delayed; the group may flow again. */
  release(groupId: string | undefined): void;
  /** FIFO: keeps a group blocked (a message of it is leased or waiting out a nack delay). */
  hold(groupId: string | undefined): void;
  /** Empties the index and returns what it held. */
  clear(): Msg[];
  /** Every ready message, in no guaranteed order. */
  all(): IterableIterator<Msg>;
}

/**
 * Ready messages of one ordering lane: those that arrived in sequence order go to a deque (O(1)),
 * those that came back (nack, lease expiry, redrive) go to a heap by sequence.
 */
class Lane {
  readonly fresh = new Deque<Msg>();
  readonly returned = new MinHeap<Msg>();

  get length(): number {
    return this.fresh.length + this.returned.size;
  }

  add(msg: Msg): void {
    const back = this.fresh.peekBack();
    if (back === undefined ? this.returned.size === 0 : msg.seq > back.seq) this.fresh.push(msg);
    else this.returned.push(msg.seq, msg);
  }

  head(): Msg | undefined {
    const a = this.fresh.peek();
    const b = this.returned.peek();
    if (a === undefined) return b;
    if (b === undefined) return a;
    return a.seq < b.seq ? a : b;
  }

  shift(): Msg | undefined {
    const a = this.fresh.peek();
    const b = this.returned.peek();
    if (a !== undefined && (b === undefined || a.seq < b.seq)) return this.fresh.shift();
    return this.returned.pop();
  }

  *all(): IterableIterator<Msg> {
    yield* this.fresh;
    yield* this.returned.entries();
  }
}

const PRIORITY_LEVELS = 10;

/** Ready set of a standard queue: one lane per priority. */
export class StandardReady implements ReadyIndex {
  private lanes: Lane[] = Array.from({ length: PRIORITY_LEVELS }, () => new Lane());
  count = 0;

  add(msg: Msg): void {
    (this.lanes[msg.priority] as Lane).add(msg);
    this.count++;
  }

  take(max: number, maxBytes: number, deliverable: Deliverable): Msg[] {
    const out: Msg[] = [];
    let bytes = 0;
    for (let p = PRIORITY_LEVELS - 1; p >= 0 && out.length < max && bytes < maxBytes; p--) {
      const lane = this.lanes[p] as Lane;
      while (out.length < max && bytes < maxBytes && lane.length > 0) {
        const msg = lane.shift() as Msg;
        this.count--;
        if (!deliverable(msg)) continue;
        out.push(msg);
        bytes += msg.size;
      }
    }
    return out;
  }

  oldest(): Msg | undefined {
    let best: Msg | undefined;
    for (const lane of this.lanes) {
      const h = lane.head();
      if (h !== undefined && (best === undefined || h.seq < best.seq)) best = h;
    }
    return best;
  }

  removeOldest(): Msg | undefined {
    let bestLane: Lane | undefined;
    let best: Msg | undefined;
    for (const lane of this.lanes) {
      const h = lane.head();
      if (h !== undefined && (best === undefined || h.seq < best.seq)) {
        best = h;
        bestLane = lane;
      }
    }
    if (bestLane === undefined) return undefined;
    this.count--;
    return bestLane.shift();
  }

  release(): void {}

  hold(): void {}

  clear(): Msg[] {
    const out = [...this.all()];
    this.lanes = Array.from({ length: PRIORITY_LEVELS }, () => new Lane());
    this.count = 0;
    return out;
  }

  *all(): IterableIterator<Msg> {
    for (const lane of this.lanes) yield* lane.all();
  }
}

/** One message group of a FIFO queue. */
class Group {
  lane = new Lane();
  /** Messages of this group that are leased or waiting out a nack delay. */
  held = 0;
  /** Whether the group sits in the available heap. */
  queued = false;

  constructor(readonly id: string) {}
}

/** Ready set of a FIFO queue: groups, each strictly ordered and blocked while any of it is held. */
export class FifoReady implements ReadyIndex {
  private groups = new Map<string, Group>();
  /** Groups that can hand out now, by the sequence of their first ready message. */
  private available = new MinHeap<Group>();
  count = 0;

  add(msg: Msg): void {
    const group = this.group(msg.groupId as string);
    group.lane.add(msg);
    this.count++;
    this.offer(group);
  }

  take(max: number, maxBytes: number, deliverable: Deliverable): Msg[] {
    const out: Msg[] = [];
    let bytes = 0;
    while (out.length < max && bytes < maxBytes) {
      const group = this.available.pop();
      if (group === undefined) break;
      group.queued = false;
      if (group.held > 0 || group.lane.length === 0) continue;
      // Take as many as possible from one group before moving to the next, as SQS does, so that
      // other consumers can work on other groups.
      while (out.length < max && bytes < maxBytes && group.lane.length > 0) {
        const msg = group.lane.shift() as Msg;
        this.count--;
        if (!deliverable(msg)) continue;
        out.push(msg);
        bytes += msg.size;
        group.held++;
      }
      this.offer(group);
      this.forgetIfIdle(group);
    }
    return out;
  }

  oldest(): Msg | undefined {
    let best: Msg | undefined;
    for (const g of this.groups.values()) {
      const h = g.lane.head();
      if (h !== undefined && (best === undefined || h.seq < best.seq)) best = h;
    }
    return best;
  }

  removeOldest(): Msg | undefined {
    const oldest = this.oldest();
    if (oldest === undefined) return undefined;
    const group = this.groups.get(oldest.groupId as string) as Group;
    group.lane.shift();
    this.count--;
    this.forgetIfIdle(group);
    return oldest;
  }

  release(groupId: string | undefined): void {
    const group = this.groups.get(groupId as string);
    if (group === undefined) return;
    group.held = Math.max(0, group.held - 1);
    this.offer(group);
    this.forgetIfIdle(group);
  }

  hold(groupId: string | undefined): void {
    this.group(groupId as string).held++;
  }

  clear(): Msg[] {
    // A purge removes leased messages too, so every group starts over unblocked.
    const out = [...this.all()];
    this.groups = new Map();
    this.available = new MinHeap<Group>();
    this.count = 0;
    return out;
  }

  *all(): IterableIterator<Msg> {
    for (const g of this.groups.values()) yield* g.lane.all();
  }

  private group(id: string): Group {
    let g = this.groups.get(id);
    if (g === undefined) {
      g = new Group(id);
      this.groups.set(id, g);
    }
    return g;
  }

  private offer(group: Group): void {
    if (group.queued || group.held > 0) return;
    const head = group.lane.head();
    if (head === undefined) return;
    group.queued = true;
    this.available.push(head.seq, group);
  }

  private forgetIfIdle(group: Group): void {
    if (group.held === 0 && group.lane.length === 0 && !group.queued) this.groups.delete(group.id);
  }
}
