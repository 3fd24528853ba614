/**
 * Chute's ratio to the best peer of the same tier. A ratio above 1 always means Chute is
 * better: for rates it is Chute / peer, for latency and memory it is peer / Chute.
 */
import type { Better } from './metrics.js';

/** The best of the peers' values (max or min by direction), or null when none was measured. */
export function bestValue(values: Array<number | null | undefined>, better: Better): number | null {
  // Where lower is better (latency, memory), a figure of 0 or below is no measurement: a peer's
  // memory can shrink while it fills. It is left out, not taken as the best.
  const measured = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && (better === 'higher' || v > 0));
  if (measured.length === 0) return null;
  return better === 'higher' ? Math.max(...measured) : Math.min(...measured);
}

/** How many times better Chute's value is than `best` (above 1: Chute better), or null. */
export function chuteRatio(chute: number | null | undefined, best: number | null, better: Better): number | null {
  if (typeof chute !== 'number' || !Number.isFinite(chute) || best === null) return null;
  if (better === 'higher') return best > 0 ? chute / best : null;
  if (chute <= 0 || best <= 0) return null;
  return best / chute;
}
