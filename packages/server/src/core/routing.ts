/**
 * Topic routing: routing-key patterns with '*' (exactly one word) and '#' (zero or more words),
 * words separated by '.', as in AMQP topic exchanges; plus header equality.
 */
import type { Headers, SubscriptionFilter } from './types.js';

/** True when `routingKey` matches `pattern`. */
export function routingKeyMatches(pattern: string, routingKey: string): boolean {
  return matchWords(pattern.split('.'), 0, routingKey === '' ? [] : routingKey.split('.'), 0);
}

function matchWords(pattern: string[], pi: number, words: string[], wi: number): boolean {
  if (pi === pattern.length) return wi === words.length;
  const p = pattern[pi];
  if (p === '#') {
    // '#' absorbs zero or more words: try every split point.
    for (let k = wi; k <= words.length; k++) if (matchWords(pattern, pi + 1, words, k)) return true;
    return false;
  }
  if (wi === words.length) return false;
  if (p === '*' || p === words[wi]) return matchWords(pattern, pi + 1, words, wi + 1);
  return false;
}

/** True when a message with this routing key and headers passes the filter. */
export function filterMatches(filter: SubscriptionFilter, routingKey: string, headers: Headers): boolean {
  if (filter.routingKey !== undefined && !routingKeyMatches(filter.routingKey, routingKey)) return false;
  for (const [name, expected] of Object.entries(filter.headers ?? {})) {
    const actual = headers[name];
    if (actual === undefined || actual instanceof Uint8Array) return false;
    if (actual !== expected) return false;
  }
  return true;
}
