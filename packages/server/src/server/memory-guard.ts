/**
 * Back-pressure on memory: while the process uses more than its configured bound, sends and
 * publishes are refused with 429 Overloaded and a Retry-After, so producers slow down instead of
 * the broker running out of memory. Memory is sampled on a timer, not per request, because reading
 * the resident set size costs a system call.
 */
import { ChuteError } from '../core/errors.js';

/** The bounds; null turns a bound off. */
export interface MemoryBounds {
  maxHeapUsedBytes: number | null;
  maxRssBytes: number | null;
}

/** How often memory is sampled. */
const sampleIntervalMs = 250;
/** What a refused producer is told to wait before trying again. */
const retryAfterMs = 1000;

/** Samples memory use and refuses new sends while it is above a bound. */
export class MemoryGuard {
  private over: string | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly bounds: MemoryBounds,
    private readonly onChange: (overloaded: boolean, detail: Record<string, number>) => void = () => {},
  ) {}

  /** Starts sampling (the timer never keeps the process alive). */
  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), sampleIntervalMs);
    this.timer.unref();
  }

  /** Stops sampling. */
  stop(): void {
    clearInterval(this.timer);
  }

  /** Throws Overloaded while memory use is above a bound. */
  admit(): void {
    if (this.over !== null) {
      throw new ChuteError('Overloaded', `the broker is short of memory (${this.over}); retry later`, { retryAfterMs });
    }
  }

  private sample(): void {
    const usage = process.memoryUsage();
    const { maxHeapUsedBytes, maxRssBytes } = this.bounds;
    let over: string | null = null;
    if (maxHeapUsedBytes !== null && usage.heapUsed > maxHeapUsedBytes) over = `heap in use above ${maxHeapUsedBytes} bytes`;
    else if (maxRssBytes !== null && usage.rss > maxRssBytes) over = `resident memory above ${maxRssBytes} bytes`;
    if ((over === null) !== (this.over === null)) this.onChange(over !== null, { heapUsed: usage.heapUsed, rss: usage.rss });
    this.over = over;
  }
}
