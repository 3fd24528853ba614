/**
 * Comparing header sets. Messages of one stream mostly carry the same headers (a content type),
 * so encoders keep the encoding of the last set they wrote and reuse it when the next is equal.
 */
import type { Headers } from './types.js';

/**
 * True when two header sets hold the same names with the same text or number values. Byte values
 * never count as equal (comparing them would cost what the reuse saves).
 */
export function sameHeaders(a: Headers, b: Headers): boolean {
  if (a === b) return true;
  let count = 0;
  for (const name in b) {
    const value = b[name];
    if (typeof value === 'object' || !Object.hasOwn(a, name) || a[name] !== value) return false;
    count++;
  }
  for (const name in a) if (Object.hasOwn(a, name)) count--;
  return count === 0;
}
