/**
 * Backoff arithmetic shared by request retries and the consumer's nack delays. Pure functions,
 * so the numbers can be tested without a broker.
 */

/** How retry delays grow: `initialMs * factor^(attempt-1)`, capped at `maxMs`, then jittered. */
export interface BackoffOptions {
  /** Delay before the first retry. */
  initialMs: number;
  /** Largest delay ever returned. */
  maxMs: number;
  /** Growth per attempt (2 doubles the delay each time). */
  factor: number;
  /**
   * Fraction of the delay that is randomised, 0 to 1. With 0.2 the delay is drawn uniformly
   * from [80 %, 100 %] of the computed value, so many clients retrying together spread out.
   */
  jitter: number;
}

/** Defaults for request retries: 100 ms, 200 ms, 400 ms ... up to 5 s. */
export const requestBackoffDefaults: BackoffOptions = { initialMs: 100, maxMs: 5_000, factor: 2, jitter: 0.2 };

/** Defaults for consumer nacks: 1 s, 2 s, 4 s ... up to 5 min. */
export const nackBackoffDefaults: BackoffOptions = { initialMs: 1_000, maxMs: 300_000, factor: 2, jitter: 0.2 };

/**
 * The delay before retry number `attempt` (1-based). `random` returns a number in [0, 1); it is
 * injectable so tests can pin the jitter.
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  const jitter = Math.min(1, Math.max(0, options.jitter));
  // Math.pow can overflow to Infinity for large attempts; the cap keeps the result finite.
  const raw = options.initialMs * Math.pow(Math.max(1, options.factor), n - 1);
  const capped = Math.min(options.maxMs, Number.isFinite(raw) ? raw : options.maxMs);
  const jittered = capped * (1 - jitter * random());
  return Math.max(0, Math.round(jittered));
}

/** Fills the missing fields of a partial backoff from `defaults`, checking each value. */
export function resolveBackoff(partial: Partial<BackoffOptions> | undefined, defaults: BackoffOptions): BackoffOptions {
  const out: BackoffOptions = { ...defaults, ...(partial ?? {}) };
  for (const key of ['initialMs', 'maxMs', 'factor', 'jitter'] as const) {
    const v = out[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new RangeError(`backoff.${key} must be a finite number >= 0, got ${String(v)}`);
    }
  }
  if (out.jitter > 1) throw new RangeError(`backoff.jitter must be between 0 and 1, got ${out.jitter}`);
  return out;
}

/** Resolves after `ms` milliseconds, or at once (rejecting) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
