/**
 * Latency recording in an HDR histogram (microsecond resolution, 3 significant digits), so
 * high percentiles stay exact however many messages are recorded.
 */
import * as hdr from 'hdr-histogram-js';

/** Latency percentiles of one measurement, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

/** Collects latencies given in milliseconds. */
export class LatencyRecorder {
  // One hour is far beyond any phase limit; values above it would mean a broken clock.
  private readonly histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
  });

  /** Records one latency. */
  record(ms: number): void {
    this.histogram.recordValue(Math.min(3_600_000_000, Math.max(1, Math.round(ms * 1000))));
  }

  /** How many latencies were recorded. */
  get count(): number {
    return this.histogram.totalCount;
  }

  /** p50 / p99 / p99.9 / max in milliseconds (zeros when nothing was recorded). */
  summary(): LatencySummary {
    const at = (p: number): number => this.histogram.getValueAtPercentile(p) / 1000;
    return { count: this.count, p50Ms: at(50), p99Ms: at(99), p999Ms: at(99.9), maxMs: this.histogram.maxValue / 1000 };
  }
}
