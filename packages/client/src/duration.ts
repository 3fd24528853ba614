/**
 * Human durations (`500ms`, `30s`, `5m`, `1h`) as the CLI and configuration files write them.
 */

const unitMs: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration into milliseconds. Accepts a number with a unit (`ms`, `s`, `m`, `h`;
 * decimals allowed, e.g. `1.5s`) or a bare integer meaning milliseconds. Throws a RangeError
 * naming the input otherwise.
 */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (match === null) {
    throw new RangeError(`invalid duration "${text}": use a number with a unit, e.g. 500ms, 30s, 5m, 1h`);
  }
  const value = Number(match[1]);
  const unit = match[2];
  if (unit === undefined && !Number.isInteger(value)) {
    throw new RangeError(`invalid duration "${text}": a bare number means milliseconds and must be whole`);
  }
  const ms = value * (unitMs[unit ?? 'ms'] ?? 1);
  if (!Number.isSafeInteger(Math.round(ms))) throw new RangeError(`invalid duration "${text}": too large`);
  return Math.round(ms);
}

/** Formats milliseconds in the largest unit that divides them exactly, e.g. 30000 -> `30s`. */
export function formatDuration(ms: number): string {
  if (ms !== 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms !== 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms !== 0 && ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}
