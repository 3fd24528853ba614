/** Tells whether a heap entry still stands for its value's current state. */
export type EntryIsLive<T> = (value: T, key: number, tag: number) => boolean;

/** Entries held before stale ones are first swept out. */
const COMPACT_AT_LEAST = 1024;

/**
 * A binary min-heap of values ordered by a numeric key, with a numeric tag per entry. Keys and
 * tags live in parallel arrays so that an entry costs no object allocation. Entries are never
 * removed from the middle: owners check a popped entry against the value's current state (its
 * key and tag) and skip stale ones.
 *
 * Given `isLive`, the heap also sweeps stale entries out in bulk once it has doubled since the
 * last sweep. Without that, an entry settled long before its key comes up would keep its value
 * alive until then: leases of a busy queue are acked within milliseconds but keyed 30 s ahead, so
 * the lease heap held every message of the last 30 s (over a million at 40,000 msg/s) and the
 * garbage collector kept marking them. Each sweep costs one pass over the entries and follows at
 * least as many pushes, so pushes stay O(log n) amortised.
 */
export class MinHeap<T> {
  private keys: number[] = [];
  private tags: number[] = [];
  private values: T[] = [];
  private compactAt = COMPACT_AT_LEAST;

  /** `isLive`, when given, lets the heap drop stale entries by itself (see above). */
  constructor(private readonly isLive?: EntryIsLive<T>) {}

  /** Number of entries, stale ones included. */
  get size(): number {
    return this.values.length;
  }

  /** Adds a value under `key`; ties pop in insertion order only approximately. */
  push(key: number, value: T, tag = 0): void {
    this.keys.push(key);
    this.tags.push(tag);
    this.values.push(value);
    this.siftUp(this.values.length - 1);
    if (this.isLive !== undefined && this.values.length > this.compactAt) this.compact(this.isLive);
  }

  /** The smallest key, or Infinity when empty. */
  peekKey(): number {
    return this.values.length === 0 ? Infinity : (this.keys[0] as number);
  }

  /** The value with the smallest key, or undefined. */
  peek(): T | undefined {
    return this.values[0];
  }

  /** The tag of the entry with the smallest key. */
  peekTag(): number {
    return this.tags[0] ?? 0;
  }

  /** Removes and returns the value with the smallest key. */
  pop(): T | undefined {
    const n = this.values.length;
    if (n === 0) return undefined;
    const top = this.values[0];
    const lastKey = this.keys.pop() as number;
    const lastTag = this.tags.pop() as number;
    const lastValue = this.values.pop() as T;
    if (n > 1) {
      this.keys[0] = lastKey;
      this.tags[0] = lastTag;
      this.values[0] = lastValue;
      this.siftDown(0);
    }
    return top;
  }

  /** Removes everything. */
  clear(): void {
    this.keys = [];
    this.tags = [];
    this.values = [];
    this.compactAt = COMPACT_AT_LEAST;
  }

  /** Every value currently held, in no particular order. */
  *entries(): IterableIterator<T> {
    yield* this.values;
  }

  /** Keeps only live entries and restores heap order bottom-up (Floyd), in O(n). */
  private compact(isLive: EntryIsLive<T>): void {
    let n = 0;
    for (let i = 0; i < this.values.length; i++) {
      const value = this.values[i] as T;
      const key = this.keys[i] as number;
      const tag = this.tags[i] as number;
      if (!isLive(value, key, tag)) continue;
      this.keys[n] = key;
      this.tags[n] = tag;
      this.values[n] = value;
      n++;
    }
    this.keys.length = n;
    this.tags.length = n;
    this.values.length = n;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDown(i);
    this.compactAt = Math.max(COMPACT_AT_LEAST, 2 * n);
  }

  private siftUp(i: number): void {
    const keys = this.keys;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((keys[parent] as number) <= (keys[i] as number)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const keys = this.keys;
    const n = keys.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && (keys[l] as number) < (keys[m] as number)) m = l;
      if (r < n && (keys[r] as number) < (keys[m] as number)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(a: number, b: number): void {
    const k = this.keys[a] as number;
    this.keys[a] = this.keys[b] as number;
    this.keys[b] = k;
    const t = this.tags[a] as number;
    this.tags[a] = this.tags[b] as number;
    this.tags[b] = t;
    const v = this.values[a] as T;
    this.values[a] = this.values[b] as T;
    this.values[b] = v;
  }
}
