/**
 * A one-line progress report on stderr, redrawn in place, shown only when stderr is a terminal
 * so that pipes and logs stay clean.
 */

/** Redraws at most this often, so progress costs nothing next to the work. */
const redrawEveryMs = 100;

/** A progress line for long-running bulk work (send --lines, dlq redrive). */
export class Progress {
  private readonly enabled: boolean;
  private readonly startedAt = Date.now();
  private lastDrawAt = 0;
  private drawn = false;

  /** Creates a progress line; `verb` says what is counted, e.g. `sent`. */
  constructor(private readonly verb: string) {
    this.enabled = process.stderr.isTTY === true;
  }

  /** Reports the current count (redrawn when enough time has passed). */
  update(count: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDrawAt < redrawEveryMs) return;
    this.lastDrawAt = now;
    this.draw(count);
  }

  /** Clears the line. */
  done(): void {
    if (this.enabled && this.drawn) process.stderr.write('\r\x1b[2K');
  }

  private draw(count: number): void {
    const seconds = Math.max(0.001, (Date.now() - this.startedAt) / 1000);
    const rate = Math.round(count / seconds);
    process.stderr.write(`\r\x1b[2K${this.verb} ${count} messages (${rate}/s)`);
    this.drawn = true;
  }
}
