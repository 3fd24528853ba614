/**
 * A consumer's errors, reported on stderr as the first one and then a count, rather than one
 * line (or stack trace) each: a broker that stops under a running consumer (Ctrl-C reaches the
 * whole process group) fails hundreds of acks at once. The scenarios still see every loss or
 * redelivery through their own counts.
 */
export class ConsumerErrors {
  private count = 0;

  constructor(private readonly queue: string) {}

  /** Counts an error; only the first is written out. */
  add(error: unknown, phase: string): void {
    this.count++;
    if (this.count === 1) process.stderr.write(`consumer of ${this.queue} (${phase}): ${error instanceof Error ? error.message : String(error)}\n`);
  }

  /** Writes how many errors followed the first, if any. */
  summarise(): void {
    if (this.count > 1) process.stderr.write(`consumer of ${this.queue}: ${this.count - 1} more errors after the first\n`);
  }
}
