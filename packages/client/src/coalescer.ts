/**
 * Merges calls into batches, one request each. Each caller still gets its own promise, settled by
 * its own entry of the answer. Batches are bounded in entries and in weight (bytes), and only a
 * few run at once. Calls issued in one turn of the event loop always share a batch; while every
 * request slot is taken, later calls keep joining the open batch, which goes out when a slot
 * frees. So a lone call is sent at once, and under load batches grow by themselves instead of
 * queueing up as many small requests (each request costs far more than an entry in one).
 */
import { ChuteError } from './errors.js';

/** Outcome of one entry, as the batch function reports it. */
export type EntryOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** Limits and the batch function of a coalescer. */
export interface CoalescerOptions<T, R> {
  /** Most entries per batch. */
  maxEntries: number;
  /** Most total weight per batch (a single heavier entry still goes alone). */
  maxWeight: number;
  /** Weight of one entry, e.g. its encoded size. */
  weigh: (item: T) => number;
  /** Batches running at the same time; more wait their turn. */
  maxConcurrent: number;
  /**
   * Runs one batch. Resolves with one outcome per item, in order; a rejection fails every item
   * of the batch with that error.
   */
  run: (items: T[]) => Promise<Array<EntryOutcome<R>>>;
}

/** Receives the outcome of one item added with {@link Coalescer.submit}. */
export type OutcomeCallback<R> = (outcome: EntryOutcome<R>) => void;

/** An item waiting for its outcome: a promise's resolve and reject (add), or a callback (submit). */
interface Pending<T, R> {
  item: T;
  resolve: ((value: R) => void) | undefined;
  reject: ((error: unknown) => void) | undefined;
  done: OutcomeCallback<R> | undefined;
}

/** Collects items into bounded batches and runs them. */
export class Coalescer<T, R> {
  private open: Array<Pending<T, R>> = [];
  private openWeight = 0;
  private readonly ready: Array<Array<Pending<T, R>>> = [];
  private running = 0;
  private scheduled = false;
  private idleWaiters: Array<() => void> = [];

  /** Creates an empty coalescer. */
  constructor(private readonly options: CoalescerOptions<T, R>) {}

  /** Adds an item; the promise settles with the item's own outcome. */
  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => this.enqueue({ item, resolve, reject, done: undefined }));
  }

  /**
   * Adds an item and hands its outcome to `done` (called once, never synchronously). For callers
   * that settle thousands of items a second, such as the consume loop's acks, where a promise
   * per item costs more than the item's share of the request.
   */
  submit(item: T, done: OutcomeCallback<R>): void {
    this.enqueue({ item, resolve: undefined, reject: undefined, done });
  }

  private enqueue(pending: Pending<T, R>): void {
    const weight = this.options.weigh(pending.item);
    if (this.open.length > 0 && (this.open.length >= this.options.maxEntries || this.openWeight + weight > this.options.maxWeight)) {
      this.seal();
    }
    this.open.push(pending);
    this.openWeight += weight;
    if (this.open.length >= this.options.maxEntries) this.seal();
    else if (!this.scheduled) {
      this.scheduled = true;
      // setImmediate rather than a microtask: callers that resume from the same I/O callback
      // (many handlers finishing together) land in the same batch.
      setImmediate(() => {
        this.scheduled = false;
        if (this.running < this.options.maxConcurrent) this.seal();
      });
    }
  }

  /** Resolves once every item added so far has settled. */
  async drain(): Promise<void> {
    this.seal();
    if (this.running === 0 && this.ready.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private seal(): void {
    if (this.open.length === 0) return;
    this.ready.push(this.open);
    this.open = [];
    this.openWeight = 0;
    this.pump();
  }

  private pump(): void {
    while (this.running < this.options.maxConcurrent) {
      // A batch left open while every slot was taken goes out as soon as one frees.
      if (this.ready.length === 0 && this.open.length > 0 && !this.scheduled) {
        this.ready.push(this.open);
        this.open = [];
        this.openWeight = 0;
      }
      const batch = this.ready.shift();
      if (batch === undefined) break;
      this.running++;
      void this.runBatch(batch).finally(() => {
        this.running--;
        this.pump();
        if (this.running === 0 && this.ready.length === 0) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          for (const w of waiters) w();
        }
      });
    }
  }

  private async runBatch(batch: Array<Pending<T, R>>): Promise<void> {
    let outcomes: Array<EntryOutcome<R>>;
    try {
      outcomes = await this.options.run(batch.map((p) => p.item));
    } catch (e) {
      const failed: EntryOutcome<R> = { ok: false, error: e };
      for (const p of batch) settle(p, failed);
      return;
    }
    batch.forEach((p, i) => {
      settle(p, outcomes[i] ?? { ok: false, error: new ChuteError('BadResponse', `the broker's batch answer has no entry ${i}`) });
    });
  }
}

function settle<T, R>(p: Pending<T, R>, outcome: EntryOutcome<R>): void {
  if (p.done !== undefined) p.done(outcome);
  else if (outcome.ok) p.resolve?.(outcome.value);
  else p.reject?.(outcome.error);
}
