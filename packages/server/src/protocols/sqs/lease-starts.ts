/**
 * When each recent lease began, by receipt. Amazon SQS refuses a ChangeMessageVisibility that would
 * keep a message invisible for more than 12 hours after it was received; the broker only knows
 * when a lease ends, so the SQS edge remembers when it handed each lease out. The memory is
 * bounded: the oldest entries are forgotten first, and a forgotten lease is simply not checked.
 */

/** Receipt → receive time, bounded in entries. */
export class LeaseStarts {
  private readonly starts = new Map<string, number>();

  constructor(private readonly maxEntries = 100_000) {}

  /** Records that `receipt` was handed out at `atMs`. */
  record(receipt: string, atMs: number): void {
    this.starts.set(receipt, atMs);
    if (this.starts.size > this.maxEntries) {
      // Maps iterate in insertion order, so the first key is the oldest lease.
      const oldest = this.starts.keys().next();
      if (oldest.done !== true) this.starts.delete(oldest.value);
    }
  }

  /** When `receipt` was handed out, if still remembered. */
  startOf(receipt: string): number | undefined {
    return this.starts.get(receipt);
  }

  /** Forgets a lease that ended (deleted or given back). */
  forget(receipt: string): void {
    this.starts.delete(receipt);
  }
}
