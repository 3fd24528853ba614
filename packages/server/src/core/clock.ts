/**
 * Time, injected. Nothing in the core reads Date.now() or calls setTimeout directly, so unit and
 * conformance tests can drive time by hand with ManualClock.
 */

/** A handle returned by Clock.setTimer. */
export interface TimerHandle {
  cancel(): void;
}

/** The source of time and timers for the core. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `fn` once after `delayMs` (clamped to >= 0). */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
}

/** The real clock: wall time and Node timers. Broker.close() cancels every timer it armed. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(delayMs, fn) {
    // setTimeout cannot take more than 2^31-1 ms; longer timers re-arm themselves.
    const maxTimerMs = 2_147_483_647;
    let handle: NodeJS.Timeout;
    const arm = (remainingMs: number): void => {
      const step = Math.min(Math.max(0, remainingMs), maxTimerMs);
      handle = setTimeout(() => (remainingMs > maxTimerMs ? arm(remainingMs - maxTimerMs) : fn()), step);
    };
    arm(delayMs);
    return { cancel: () => clearTimeout(handle) };
  },
};

interface ManualTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A clock that only moves when told to; timers fire in deadline order during advance(). */
export class ManualClock implements Clock {
  private current: number;
  private timers: ManualTimer[] = [];
  private nextSeq = 0;

  constructor(startMs = 1_700_000_000_000) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const timer: ManualTimer = { at: this.current + Math.max(0, delayMs), seq: this.nextSeq++, fn, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /**
   * Moves time forward by `ms`, firing due timers in order, each at its own deadline. Awaits
   * pending promise callbacks between timers so that work scheduled by one timer can settle.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await settle();
      const due = this.timers
        .filter((t) => !t.cancelled && t.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.current = Math.max(this.current, due.at);
      due.cancelled = true;
      this.timers = this.timers.filter((t) => !t.cancelled);
      due.fn();
    }
    this.current = target;
    await settle();
  }

  /** Number of timers still armed (for tests that check nothing is left running). */
  pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}

/** Lets queued promise callbacks and immediate I/O callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
