/**
 * The message layout of the channel (channel.ts), both ways: a 4-byte big-endian length N, then N
 * bytes of UTF-8 JSON (the header), then the payload to the end of the message. A request's header
 * is `{ "id", "op", "queue", "body"? }` and its payload a framed batch (frames.ts) for a send,
 * nothing otherwise; an answer's header is `{ "id", "status", "body"?, "framed"?, "retryAfter"? }`
 * and its payload, when `framed` is true, a framed batch of received messages.
 */
import { parseApiJson, ProtoKeyError } from '../request-json.js';

/** Bytes of the header's length prefix. */
const prefixBytes = 4;

/** The operations a channel request can name. */
export const channelOps = ['send', 'receive', 'ack', 'nack', 'extend', 'cancel'] as const;

/** One of {@link channelOps}. */
export type ChannelOp = (typeof channelOps)[number];

/** A request as the client sent it, checked only for its framing and its id. */
export interface ChannelRequest {
  /** The client's number for the request, echoed in the answer. */
  id: number;
  /** The header's other fields, checked by the operation. */
  header: Record<string, unknown>;
  /** The bytes after the header. */
  payload: Buffer;
}

/** A message that cannot be a request at all: it has no readable header or no id to answer. */
export class ChannelProtocolError extends Error {}

/** Splits a request into its header and payload; throws ChannelProtocolError naming what is wrong. */
export function decodeChannelRequest(message: Buffer): ChannelRequest {
  if (message.length < prefixBytes) throw new ChannelProtocolError(`a channel message starts with a 4-byte header length; got ${message.length} bytes`);
  const headerEnd = prefixBytes + message.readUInt32BE(0);
  if (headerEnd > message.length) throw new ChannelProtocolError(`the header length says ${headerEnd - prefixBytes} bytes, but only ${message.length - prefixBytes} follow`);
  let header: unknown;
  try {
    header = parseApiJson(message.toString('utf8', prefixBytes, headerEnd));
  } catch (e) {
    // The parser refuses valid JSON too (a "__proto__" key), with an error that is a SyntaxError.
    const what = e instanceof ProtoKeyError ? 'the header is refused' : 'the header is not valid JSON';
    throw new ChannelProtocolError(`${what}: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    const got = Array.isArray(header) ? 'an array' : header === null ? 'null' : `a ${typeof header}`;
    throw new ChannelProtocolError(`the header must be a JSON object; got ${got}`);
  }
  const id = (header as { id?: unknown }).id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw new ChannelProtocolError('the header needs "id", an integer >= 0');
  return { id, header: header as Record<string, unknown>, payload: message.subarray(headerEnd) };
}

/**
 * Builds an answer. `bodyJson` is JSON text written as the header's `body` as it is (the routes'
 * own JSON writers produce it); `frame` is a framed batch sent as the payload.
 */
export function encodeChannelAnswer(id: number, status: number, bodyJson: string | undefined, frame?: Buffer, retryAfterSeconds?: number): Buffer {
  let header = `{"id":${id},"status":${status}`;
  if (retryAfterSeconds !== undefined) header += `,"retryAfter":${retryAfterSeconds}`;
  if (frame !== undefined) header += ',"framed":true';
  if (bodyJson !== undefined) header += `,"body":${bodyJson}`;
  header += '}';
  const headerBytes = Buffer.byteLength(header, 'utf8');
  const out = Buffer.allocUnsafe(prefixBytes + headerBytes + (frame?.length ?? 0));
  out.writeUInt32BE(headerBytes, 0);
  out.write(header, prefixBytes, 'utf8');
  if (frame !== undefined) out.set(frame, prefixBytes + headerBytes);
  return out;
}
