/**
 * A first-in-first-out queue backed by a growable ring buffer: O(1) push at the back and pop at
 * the front without the O(n) cost of Array.prototype.shift.
 */
export class Deque<T> {
  private buf: Array<T | undefined>;
  private head = 0;
  private count = 0;

  constructor(initialCapacity = 16) {
    this.buf = new Array<T | undefined>(initialCapacity);
  }

  /** Number of items held. */
  get length(): number {
    return this.count;
  }

  /** Appends at the back. */
  push(item: T): void {
    if (this.count === this.buf.length) this.grow();
    this.buf[(this.head + this.count) % this.buf.length] = item;
    this.count++;
  }

  /** Inserts at the front. */
  unshift(item: T): void {
    if (this.count === this.buf.length) this.grow();
    this.head = (this.head - 1 + this.buf.length) % this.buf.length;
    this.buf[this.head] = item;
    this.count++;
  }

  /** The front item, or undefined. */
  peek(): T | undefined {
    return this.count === 0 ? undefined : this.buf[this.head];
  }

  /** The back item, or undefined. */
  peekBack(): T | undefined {
    return this.count === 0 ? undefined : this.buf[(this.head + this.count - 1) % this.buf.length];
  }

  /** Removes and returns the front item. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) % this.buf.length;
    this.count--;
    if (this.count === 0) this.head = 0;
    return item;
  }

  /** Item at position `i` from the front (0-based), or undefined. */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.count) return undefined;
    return this.buf[(this.head + i) % this.buf.length];
  }

  /**
   * Keeps the items `keep` accepts, in their order, and drops the others: one pass over the items.
   * A buffer left mostly empty is swapped for a smaller one, so a line that was long once does not
   * hold its largest buffer for good.
   */
  retain(keep: (item: T) => boolean): void {
    const size = this.buf.length;
    let kept = 0;
    // Item i moves to slot kept <= i, which was read already, so the pass works in place.
    for (let i = 0; i < this.count; i++) {
      const item = this.buf[(this.head + i) % size] as T;
      if (keep(item)) this.buf[(this.head + kept++) % size] = item;
    }
    for (let i = kept; i < this.count; i++) this.buf[(this.head + i) % size] = undefined;
    this.count = kept;
    if (size > 16 && kept * 4 < size) this.resize(Math.max(16, kept * 2));
    else if (kept === 0) this.head = 0;
  }

  /** Removes everything. */
  clear(): void {
    this.buf = new Array<T | undefined>(16);
    this.head = 0;
    this.count = 0;
  }

  /** Iterates front to back. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.count; i++) yield this.buf[(this.head + i) % this.buf.length] as T;
  }

  private grow(): void {
    this.resize(Math.max(16, this.buf.length * 2));
  }

  /** Moves the items, front first, to a new buffer of `size` slots (at least the items held). */
  private resize(size: number): void {
    const next = new Array<T | undefined>(size);
    for (let i = 0; i < this.count; i++) next[i] = this.buf[(this.head + i) % this.buf.length];
    this.buf = next;
    this.head = 0;
  }
}
