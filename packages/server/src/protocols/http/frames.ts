/**
 * The framed batch form of message lists (`application/vnd.chute.batch`): the same JSON fields as
 * the plain form, minus the bodies, followed by the bodies as raw bytes. It spares both sides the
 * base64 and JSON escaping of every body, which dominate the cost of moving many messages.
 *
 * Layout: a 4-byte big-endian length N, then N bytes of UTF-8 JSON `{ "messages": [ ... ] }` in
 * which every entry gives its body's length as `bodyBytes`, then the bodies back to back in the
 * order of the entries. Nothing else may follow.
 */
import { invalidArgument } from '../../core/errors.js';

/** Content type of framed batches. */
export const batchContentType = 'application/vnd.chute.batch';

/** Bytes of the length prefix. */
const prefixBytes = 4;

/** A decoded frame: the entries as JSON gave them and each entry's body. */
export interface DecodedFrame {
  messages: Array<Record<string, unknown>>;
  bodies: Buffer[];
}

/**
 * Splits a framed request into entries and bodies, checking the framing: the length prefix, the
 * JSON, `bodyBytes` on every entry, and that the bodies fill the rest exactly. The entries' other
 * fields are left to the route's schema. `parseJson` is the API's JSON parser (it refuses
 * `__proto__` keys). Throws InvalidArgument naming the part that is wrong.
 */
export function decodeFrame(frame: Buffer, parseJson: (text: string) => unknown): DecodedFrame {
  if (frame.length < prefixBytes) throw invalidArgument('body', `an ${batchContentType} body starts with a 4-byte length; got ${frame.length} bytes`);
  const jsonBytes = frame.readUInt32BE(0);
  const bodiesStart = prefixBytes + jsonBytes;
  if (bodiesStart > frame.length) {
    throw invalidArgument('body', `the ${batchContentType} length prefix says ${jsonBytes} bytes of JSON, but only ${frame.length - prefixBytes} follow`);
  }
  let parsed: unknown;
  try {
    parsed = parseJson(frame.toString('utf8', prefixBytes, bodiesStart));
  } catch (e) {
    throw invalidArgument('body', `the JSON part of the ${batchContentType} body is not valid JSON: ${(e as Error).message}`);
  }
  const messages = (parsed as { messages?: unknown } | null)?.messages;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !Array.isArray(messages)) {
    throw invalidArgument('messages', `the JSON part of an ${batchContentType} body is an object with a "messages" array`);
  }
  const unknown = Object.keys(parsed).find((key) => key !== 'messages');
  if (unknown !== undefined) throw invalidArgument(unknown, `${unknown} is not a known field: the JSON part of an ${batchContentType} body holds only "messages"`);
  const bodies: Buffer[] = [];
  let at = bodiesStart;
  messages.forEach((entry: unknown, i) => {
    const size = (entry as { bodyBytes?: unknown } | null)?.bodyBytes;
    if (typeof entry !== 'object' || entry === null || typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
      throw invalidArgument(`messages[${i}].bodyBytes`, `messages[${i}].bodyBytes must be the length of the entry's body, an integer >= 0`);
    }
    if (at + size > frame.length) {
      throw invalidArgument(`messages[${i}].bodyBytes`, `messages[${i}].bodyBytes is ${size}, but only ${frame.length - at} bytes of bodies are left`);
    }
    bodies.push(frame.subarray(at, at + size));
    at += size;
  });
  if (at !== frame.length) {
    throw invalidArgument('body', `${frame.length - at} bytes follow the last body of the ${batchContentType} body; the bodyBytes of the entries must add up to the rest`);
  }
  return { messages: messages as Array<Record<string, unknown>>, bodies };
}

/**
 * Builds a frame from its JSON part (`{"messages":[...]}`, every entry giving its body's
 * `bodyBytes`) and the bodies in the same order, in one buffer written once.
 */
export function encodeFrame(json: string, bodies: readonly Uint8Array[]): Buffer {
  const jsonBytes = Buffer.byteLength(json, 'utf8');
  let size = prefixBytes + jsonBytes;
  for (const body of bodies) size += body.byteLength;
  const frame = Buffer.allocUnsafe(size);
  frame.writeUInt32BE(jsonBytes, 0);
  let at = prefixBytes + frame.write(json, prefixBytes, 'utf8');
  for (const body of bodies) {
    frame.set(body, at);
    at += body.byteLength;
  }
  return frame;
}

/** True when an Accept header asks for framed batches. */
export function acceptsFrames(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes(batchContentType);
}
