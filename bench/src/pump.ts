/**
 * The moving parts every scenario shares: a closed-loop publisher (as fast as confirmations
 * allow, with a bounded window), an open-loop publisher (a fixed schedule that never waits for
 * confirmations, so slow confirms show up as latency instead of silently lowering the load) and a
 * delivery tracker that counts unique messages and records their latency.
 */
import { nowMs, readStamp } from './body.js';
import { LatencyRecorder } from './latency.js';

/** Outcome of a publishing phase. */
export interface PublishOutcome {
  /** Publishes confirmed. */
  confirmed: number;
  /** Publishes that failed (the phase stops at the first failure). */
  failed: number;
  /** From the first publish to the last confirmation. */
  elapsedMs: number;
  /** The phase hit its deadline before every publish was confirmed. */
  timedOut: boolean;
  /** First error message, if any. */
  error: string | null;
}

/**
 * Publishes `count` messages with at most `window` awaiting confirmation, until done, a failure,
 * or `deadlineMs` (on the nowMs clock).
 */
export async function publishClosedLoop(options: {
  count: number;
  window: number;
  deadlineMs: number;
  publish: (seq: number) => Promise<void>;
}): Promise<PublishOutcome> {
  const { count, window, deadlineMs, publish } = options;
  let next = 0;
  let confirmed = 0;
  let failed = 0;
  let error: string | null = null;
  let timedOut = false;
  const start = nowMs();
  const lane = async (): Promise<void> => {
    while (next < count && error === null) {
      if (nowMs() > deadlineMs) {
        timedOut = true;
        return;
      }
      const seq = next++;
      try {
        await publish(seq);
        confirmed++;
      } catch (e) {
        failed++;
        error ??= e instanceof Error ? e.message : String(e);
      }
    }
  };
  const lanes = Array.from({ length: Math.min(window, count) }, lane);
  // A lane stuck on a publish that never confirms must not hold the phase past its deadline.
  const outcome = await raceDeadline(Promise.all(lanes), deadlineMs);
  if (!outcome) timedOut = true;
  return { confirmed, failed, elapsedMs: nowMs() - start, timedOut, error };
}

/** Outcome of an open-loop phase. */
export interface OpenLoopOutcome extends PublishOutcome {
  /** Messages the schedule asked for. */
  scheduled: number;
  /** Publishing stopped because more than `maxInFlight` were awaiting confirmation. */
  saturated: boolean;
}

/**
 * Publishes `total` messages at `ratePerSec` on a fixed schedule. Message `i` is due at
 * `start + i / rate`; `publish` gets that due time, which the body carries as its send time, so a
 * late send counts against latency (no coordinated omission).
 */
export async function publishOpenLoop(options: {
  ratePerSec: number;
  total: number;
  maxInFlight: number;
  deadlineMs: number;
  publish: (seq: number, dueAtMs: number) => Promise<void>;
}): Promise<OpenLoopOutcome> {
  const { ratePerSec, total, maxInFlight, deadlineMs, publish } = options;
  const start = nowMs();
  const intervalMs = 1000 / ratePerSec;
  let sent = 0;
  let inFlight = 0;
  let confirmed = 0;
  let failed = 0;
  let error: string | null = null;
  let saturated = false;
  let lastConfirmAt = start;
  let settleAll: (() => void) | null = null;
  const send = (seq: number, dueAt: number): void => {
    inFlight++;
    publish(seq, dueAt).then(
      () => {
        confirmed++;
        lastConfirmAt = nowMs();
      },
      (e: unknown) => {
        failed++;
        error ??= e instanceof Error ? e.message : String(e);
      },
    ).finally(() => {
      inFlight--;
      if (inFlight === 0 && settleAll !== null) settleAll();
    });
  };
  while (sent < total && error === null) {
    const now = nowMs();
    if (now > deadlineMs) break;
    const due = Math.min(total, Math.floor((now - start) / intervalMs) + 1);
    while (sent < due) {
      if (inFlight >= maxInFlight) {
        saturated = true;
        break;
      }
      send(sent, start + sent * intervalMs);
      sent++;
    }
    if (saturated) break;
    // The next message's due time; timers cannot wake sooner than about 1 ms.
    const waitMs = start + sent * intervalMs - nowMs();
    await sleep(Math.max(0, Math.min(waitMs, 50)));
  }
  let drainedInTime = true;
  if (inFlight > 0) {
    const drained = new Promise<void>((resolve) => {
      settleAll = resolve;
    });
    drainedInTime = await raceDeadline(drained, deadlineMs);
  }
  return {
    scheduled: total,
    confirmed,
    failed,
    elapsedMs: lastConfirmAt - start,
    timedOut: !drainedInTime || (sent < total && !saturated && error === null),
    saturated,
    error,
  };
}

/**
 * Counts deliveries of messages 0..expected-1 (duplicates apart) and records each delivery's
 * latency from the send time in its body. Several trackers may share one recorder (fan-out).
 */
export class DeliveryTracker {
  private readonly seen: Uint8Array;
  /** Distinct messages delivered. */
  unique = 0;
  /** Deliveries of a message already seen (redeliveries) or outside the expected range. */
  duplicates = 0;
  /** Time of the first and the last delivery, on the nowMs clock. */
  firstAtMs = 0;
  lastAtMs = 0;
  private resolveDone: (() => void) | null = null;
  private readonly done: Promise<void>;

  constructor(
    readonly expected: number,
    readonly latency: LatencyRecorder = new LatencyRecorder(),
  ) {
    this.seen = new Uint8Array(expected);
    this.done = new Promise<void>((resolve) => {
      this.resolveDone = resolve;
    });
    if (expected === 0) this.resolveDone?.();
  }

  /** The consumer callback: pass it every delivered body. */
  readonly onBody = (body: Uint8Array): void => {
    const { seq, sentAtMs } = readStamp(body);
    const now = nowMs();
    this.latency.record(now - sentAtMs);
    if (seq >= this.expected || this.seen[seq] === 1) {
      this.duplicates++;
      return;
    }
    this.seen[seq] = 1;
    if (this.unique === 0) this.firstAtMs = now;
    this.unique++;
    this.lastAtMs = now;
    if (this.unique === this.expected) this.resolveDone?.();
  };

  /** Resolves true once every expected message arrived, false at the deadline. */
  waitAll(deadlineMs: number): Promise<boolean> {
    return raceDeadline(this.done, deadlineMs);
  }

  /**
   * Resolves true once at least `n` distinct messages arrived, false at the deadline. Used when
   * fewer than `expected` were confirmed, so waiting for all of them would only burn the deadline.
   */
  async waitFor(n: number, deadlineMs: number): Promise<boolean> {
    if (n >= this.expected) return this.waitAll(deadlineMs);
    while (this.unique < n) {
      if (nowMs() > deadlineMs) return false;
      await sleep(5);
    }
    return true;
  }
}

/** Resolves true when `p` settles first, false when the deadline (nowMs clock) passes first. */
export async function raceDeadline(p: Promise<unknown>, deadlineMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadlineMs - nowMs()));
  });
  try {
    return await Promise.race([p.then(() => true as const), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects with a clear message when `p` takes longer than `ms`. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, expired]);
  } finally {
    clearTimeout(timer);
  }
}
