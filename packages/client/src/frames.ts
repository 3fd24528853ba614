/**
 * The framed batch form of message lists (`application/vnd.chute.batch`), used for batch sends
 * and receives: the JSON fields of the entries without their bodies, then the bodies as raw
 * bytes. Bodies then travel without base64 or JSON escaping, which is most of the cost of moving
 * many messages as JSON.
 *
 * Layout: a 4-byte big-endian length N, then N bytes of UTF-8 JSON `{ "messages": [ ... ] }` in
 * which every entry gives its body's length as `bodyBytes`, then the bodies back to back in the
 * order of the entries.
 */
import { ChuteError } from './errors.js';

/** Content type of framed batches. */
export const batchContentType = 'application/vnd.chute.batch';

const prefixBytes = 4;

/** Builds a frame from entries (each giving its body's `bodyBytes`) and their bodies, in order. */
export function encodeFrame(entries: Array<{ bodyBytes: number }>, bodies: Uint8Array[]): Buffer {
  const json = Buffer.from(JSON.stringify({ messages: entries }), 'utf8');
  const prefix = Buffer.allocUnsafe(prefixBytes);
  prefix.writeUInt32BE(json.length, 0);
  return Buffer.concat([prefix, json, ...bodies]);
}

/** A decoded frame: the entries and each entry's body. */
export interface DecodedFrame<E> {
  messages: E[];
  bodies: Buffer[];
}

/** Splits a frame the broker sent; a frame that does not add up is a BadResponse. */
export function decodeFrame<E extends { bodyBytes: number }>(frame: Buffer): DecodedFrame<E> {
  const bad = (why: string): ChuteError => new ChuteError('BadResponse', `the broker sent a malformed ${batchContentType} body: ${why}`);
  if (frame.length < prefixBytes) throw bad('shorter than its length prefix');
  const bodiesStart = prefixBytes + frame.readUInt32BE(0);
  if (bodiesStart > frame.length) throw bad('the JSON part is cut short');
  let parsed: { messages?: unknown };
  try {
    parsed = JSON.parse(frame.toString('utf8', prefixBytes, bodiesStart)) as { messages?: unknown };
  } catch {
    throw bad('the JSON part is not JSON');
  }
  if (!Array.isArray(parsed?.messages)) throw bad('no "messages" array');
  const messages = parsed.messages as E[];
  const bodies: Buffer[] = [];
  let at = bodiesStart;
  for (const m of messages) {
    const size = m?.bodyBytes;
    if (!Number.isInteger(size) || size < 0 || at + size > frame.length) throw bad('a bodyBytes does not match the bodies');
    bodies.push(frame.subarray(at, at + size));
    at += size;
  }
  if (at !== frame.length) throw bad('bytes left over after the last body');
  return { messages, bodies };
}
