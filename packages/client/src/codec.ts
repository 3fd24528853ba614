/**
 * Body and header encoding between what callers hand the SDK and the JSON wire form. A body is
 * marked with a `content-type` header so that a receiver (this SDK, the CLI, another stack) can
 * turn the bytes back into what was sent.
 */
import type { HeaderValue, JsonValue, MessageHeaders, SendOptions } from './types.js';
import { checkKnownOptions, checkTypeOption, describeValue, invalidOption } from './options.js';
import type { FramedSendEntry, WireHeaderValue } from './wire.js';

/** Content type of string bodies. */
export const textContentType = 'text/plain; charset=utf-8';
/** Content type of byte bodies. */
export const bytesContentType = 'application/octet-stream';
/** Content type of JSON bodies. */
export const jsonContentType = 'application/json';
/** The header that carries the content type. */
export const contentTypeHeader = 'content-type';

/** What `send` accepts as a body: text, bytes, or any JSON value. */
export type MessageBody = string | Uint8Array | JsonValue;

/** A body ready for the wire, with the content type it should be marked with. */
export interface EncodedBody {
  body: string;
  bodyEncoding: 'utf8' | 'base64';
  contentType: string;
}

/**
 * Encodes a body. Strings travel as UTF-8 text, bytes as base64, anything else as JSON text.
 * Throws a TypeError for values JSON cannot represent (undefined, functions, bigint).
 */
export function encodeBody(body: MessageBody): EncodedBody {
  if (typeof body === 'string') return { body, bodyEncoding: 'utf8', contentType: textContentType };
  if (body instanceof Uint8Array) {
    return { body: toBuffer(body).toString('base64'), bodyEncoding: 'base64', contentType: bytesContentType };
  }
  const text = JSON.stringify(body);
  if (typeof text !== 'string') throw new TypeError('message body must be a string, bytes or a JSON value');
  return { body: text, bodyEncoding: 'utf8', contentType: jsonContentType };
}

/** Encodes headers for the wire: bytes become `{ base64 }`, text and numbers stay. */
export function encodeHeaders(headers: MessageHeaders): Record<string, WireHeaderValue> {
  const out: Record<string, WireHeaderValue> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = value instanceof Uint8Array ? { base64: toBuffer(value).toString('base64') } : value;
  }
  return out;
}

/**
 * Decodes wire headers: `{ base64 }` becomes a Buffer. Headers without bytes values read the same
 * in both forms, so those are returned as they are, without a copy per message.
 */
export function decodeHeaders(headers: Record<string, WireHeaderValue> | undefined): MessageHeaders {
  if (headers === undefined) return {};
  let hasBytes = false;
  for (const name in headers) {
    const value = headers[name];
    if (typeof value === 'object' && value !== null) hasBytes = true;
  }
  if (!hasBytes) return headers as MessageHeaders;
  const out: MessageHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = typeof value === 'object' && value !== null ? Buffer.from(value.base64, 'base64') : value;
  }
  return out;
}

/** A message ready for a framed batch: its entry and its body as bytes. */
export interface FramedOutgoing {
  entry: FramedSendEntry;
  body: Buffer;
}

/**
 * Builds one entry of a framed batch (frames.ts): strings travel as their UTF-8 bytes, bytes as
 * they are, anything else as JSON text; the `content-type` header records which.
 */
export function encodeFramedEntry(body: MessageBody, options: SendOptions = {}, routingKey?: string): FramedOutgoing {
  let bytes: Buffer;
  let contentType: string;
  if (typeof body === 'string') {
    bytes = Buffer.from(body, 'utf8');
    contentType = textContentType;
  } else if (body instanceof Uint8Array) {
    bytes = toBuffer(body);
    contentType = bytesContentType;
  } else {
    bytes = Buffer.from(encodeBody(body).body, 'utf8');
    contentType = jsonContentType;
  }
  const entry: FramedSendEntry = Object.assign({ bodyBytes: bytes.byteLength }, sendFields(options, contentType));
  if (routingKey !== undefined) {
    checkTypeOption('routingKey', routingKey, 'string');
    entry.routingKey = routingKey;
  }
  return { entry, body: bytes };
}

/** The option names of a send (a publish adds `routingKey`). */
export const sendOptionNames: ReadonlySet<string> = new Set(['headers', 'contentType', 'priority', 'delayMs', 'ttlMs', 'groupId', 'dedupId']);

/**
 * Checks the types of send options and header values before they join a batch: the broker checks
 * a batch's shape as a whole, so one wrongly typed entry would fail every message sent with it.
 * Ranges and lengths stay the broker's to check, per message. Throws InvalidArgument.
 */
function checkSendOptions(options: SendOptions): void {
  checkKnownOptions('send', options, sendOptionNames);
  for (const name of ['priority', 'delayMs', 'ttlMs'] as const) {
    const value = options[name];
    if (value !== undefined && !Number.isInteger(value)) throw invalidOption(name, `${name} must be an integer, got ${describeValue(value)}`);
  }
  for (const name of ['groupId', 'dedupId', 'contentType'] as const) checkTypeOption(name, options[name], 'string');
  if (options.headers === undefined) return;
  if (typeof options.headers !== 'object' || options.headers === null) throw invalidOption('headers', 'headers must be an object of names to values');
  for (const [name, value] of Object.entries(options.headers)) {
    const ok = typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) || value instanceof Uint8Array;
    if (!ok) throw invalidOption(`headers.${name}`, `headers.${name} must be a string, a finite number or bytes, got ${describeValue(value)}`);
  }
}

/** The fields of a send entry besides its body. */
function sendFields(options: SendOptions, bodyContentType: string): Omit<FramedSendEntry, 'bodyBytes'> {
  checkSendOptions(options);
  const fields: Omit<FramedSendEntry, 'bodyBytes'> = {};
  if (options.headers === undefined) {
    // The common case: only the content type. A fresh object per message would be garbage at
    // tens of thousands of sends per second.
    fields.headers = contentTypeOnly(options.contentType ?? bodyContentType);
  } else {
    const headers: MessageHeaders = { ...options.headers };
    if (!hasHeader(headers, contentTypeHeader)) headers[contentTypeHeader] = options.contentType ?? bodyContentType;
    fields.headers = encodeHeaders(headers);
  }
  if (options.priority !== undefined) fields.priority = options.priority;
  if (options.delayMs !== undefined) fields.delayMs = options.delayMs;
  if (options.ttlMs !== undefined) fields.ttlMs = options.ttlMs;
  if (options.groupId !== undefined) fields.groupId = options.groupId;
  if (options.dedupId !== undefined) fields.dedupId = options.dedupId;
  return fields;
}

const sharedContentTypeHeaders = new Map<string, Readonly<Record<string, WireHeaderValue>>>(
  [textContentType, bytesContentType, jsonContentType].map((t) => [t, Object.freeze({ [contentTypeHeader]: t })]),
);
const sharedHeaderSets = new Set<object>(sharedContentTypeHeaders.values());

/** Headers holding only a content type; the three standard ones are shared, frozen objects. */
function contentTypeOnly(type: string): Record<string, WireHeaderValue> {
  return sharedContentTypeHeaders.get(type) ?? { [contentTypeHeader]: type };
}

/** Rough size of a framed entry in the request body, used to bound auto-batches. */
export function framedSizeEstimate(outgoing: FramedOutgoing): number {
  return outgoing.body.byteLength + fieldsSizeEstimate(outgoing.entry);
}

function fieldsSizeEstimate(entry: FramedSendEntry): number {
  // The three standard content-type headers are shared objects of known size; anything else is
  // measured as the JSON it becomes, since escaping can make a character take six bytes.
  const headers = entry.headers === undefined || sharedHeaderSets.has(entry.headers) ? 48 : Buffer.byteLength(JSON.stringify(entry.headers));
  return 64 + headers + Buffer.byteLength(entry.groupId ?? '') + Buffer.byteLength(entry.dedupId ?? '');
}

/** Case-insensitive header lookup (header names are compared without case, like HTTP's). */
export function findHeader(headers: MessageHeaders, name: string): HeaderValue | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

function hasHeader(headers: MessageHeaders, name: string): boolean {
  return findHeader(headers, name) !== undefined;
}

/** Views bytes as a Buffer without copying. */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
