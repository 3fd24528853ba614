/**
 * Who is consuming: the consumers seen receiving from each queue, how many long polls each has
 * waiting and how many messages each got. Entries idle for longer than a few minutes are dropped
 * so the registry stays bounded.
 */
import type { Clock } from './clock.js';
import type { ConsumerInfo } from './types.js';

const IDLE_FORGET_MS = 5 * 60 * 1000;
const CONSUMERS_MAX = 10_000;

/** Tracks consumers per queue for the console. */
export class ConsumerRegistry {
  private readonly entries = new Map<string, ConsumerInfo>();

  constructor(private readonly clock: Clock) {}

  /** Marks a long poll as started; call the returned function when it ends. */
  startWaiting(queue: string, consumer: string): () => void {
    const entry = this.entry(queue, consumer);
    entry.waiting++;
    return () => {
      entry.waiting--;
      entry.lastSeenAt = this.clock.now();
    };
  }

  /** Counts messages handed to a consumer. */
  received(queue: string, consumer: string, count: number): void {
    this.entry(queue, consumer).received += count;
  }

  /** Drops every entry of a deleted queue. */
  forgetQueue(queue: string): void {
    for (const [key, e] of this.entries) if (e.queue === queue) this.entries.delete(key);
  }

  /** Consumers active now or recently, optionally of one queue. */
  list(queue?: string): ConsumerInfo[] {
    this.prune();
    return [...this.entries.values()].filter((e) => queue === undefined || e.queue === queue).map((e) => ({ ...e }));
  }

  private entry(queue: string, consumer: string): ConsumerInfo {
    const key = `${queue}\u0000${consumer}`;
    let e = this.entries.get(key);
    if (e === undefined) {
      if (this.entries.size >= CONSUMERS_MAX) this.prune();
      e = { queue, consumer, waiting: 0, received: 0, lastSeenAt: this.clock.now() };
      this.entries.set(key, e);
    }
    e.lastSeenAt = this.clock.now();
    return e;
  }

  private prune(): void {
    const cutoff = this.clock.now() - IDLE_FORGET_MS;
    for (const [key, e] of this.entries) if (e.waiting === 0 && e.lastSeenAt < cutoff) this.entries.delete(key);
  }
}
