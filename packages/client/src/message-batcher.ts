/**
 * Automatic batching of outgoing messages: the sends of a queue and the publishes of a topic.
 * Messages with a FIFO group go one request at a time, so that a group reaches the broker in the
 * order it was sent (requests in parallel may arrive in any order); the others use up to
 * `maxConcurrent` requests at once.
 */
import { Coalescer, type EntryOutcome } from './coalescer.js';
import { framedSizeEstimate, type FramedOutgoing } from './codec.js';

/** Bounds of automatic send batching. */
export interface BatchingOptions {
  /** Most messages per automatic batch (the broker accepts up to 1000). */
  maxEntries: number;
  /** Most encoded bytes per automatic batch. */
  maxBytes: number;
  /** Batch requests of one queue in flight at once. */
  maxConcurrent: number;
}

/** Batches outgoing messages and runs each batch as one request. */
export class MessageBatcher<R> {
  private readonly ungrouped: Coalescer<FramedOutgoing, R>;
  private readonly grouped: Coalescer<FramedOutgoing, R>;

  /** `run` sends one batch and reports each message's outcome, in order. */
  constructor(batching: BatchingOptions, run: (batch: FramedOutgoing[]) => Promise<Array<EntryOutcome<R>>>) {
    const bounds = { maxEntries: batching.maxEntries, maxWeight: batching.maxBytes, weigh: framedSizeEstimate, run };
    this.ungrouped = new Coalescer({ ...bounds, maxConcurrent: batching.maxConcurrent });
    this.grouped = new Coalescer({ ...bounds, maxConcurrent: 1 });
  }

  /** Adds a message to the next batch; the promise settles with its own outcome. */
  add(outgoing: FramedOutgoing): Promise<R> {
    return (outgoing.entry.groupId === undefined ? this.ungrouped : this.grouped).add(outgoing);
  }

  /** Resolves once every message added so far has settled. */
  async drain(): Promise<void> {
    await Promise.all([this.ungrouped.drain(), this.grouped.drain()]);
  }
}
