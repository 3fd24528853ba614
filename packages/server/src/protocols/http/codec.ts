/**
 * Messages between the broker's types and their JSON wire form. Bodies and byte headers are bytes
 * in the broker; on the wire a body is a UTF-8 string or base64 (`bodyEncoding`), and a byte header
 * is `{ "base64": "..." }`. Every conversion is exact, so binary bodies round-trip byte for byte.
 */
import { isUtf8 } from 'node:buffer';
import { ChuteError, invalidArgument } from '../../core/errors.js';
import type { Headers, Message, PublishInput, ReceiptResult, ReceivedMessage, SendInput, SendResult } from '../../core/types.js';
import { sameHeaders } from '../../core/headers.js';
import { wireErrorOf, type WireError } from './errors.js';

/** A header value on the wire. */
export type WireHeaderValue = string | number | { base64: string };

/** How a body is written in JSON. */
export type BodyEncoding = 'utf8' | 'base64';

/** What a receive or peek asks for: `auto` = UTF-8 when the bytes are valid UTF-8, else base64. */
export type BodyEncodingChoice = 'auto' | 'base64';

/** One message to send, as the client writes it. */
export interface WireSendEntry {
  /** The caller's entry id in a batch, echoed in its result. */
  id?: string;
  body: string;
  bodyEncoding?: BodyEncoding;
  headers?: Record<string, WireHeaderValue>;
  priority?: number;
  delayMs?: number;
  ttlMs?: number;
  groupId?: string;
  dedupId?: string;
}

/** A send entry of a framed batch (frames.ts): its body follows the JSON, `bodyBytes` long. */
export interface FramedSendEntry extends Omit<WireSendEntry, 'body' | 'bodyEncoding'> {
  bodyBytes: number;
}

/** A publish: a send entry plus the routing key. */
export interface WirePublish extends Omit<WireSendEntry, 'id'> {
  routingKey?: string;
}

/** A publish of a framed batch (frames.ts): its body follows the JSON, `bodyBytes` long. */
export interface FramedPublish extends Omit<WirePublish, 'body' | 'bodyEncoding'> {
  bodyBytes: number;
}

/** A message as receive and peek return it. */
export interface WireMessage {
  id: string;
  sequence: string;
  body: string;
  bodyEncoding: BodyEncoding;
  headers: Record<string, WireHeaderValue>;
  priority: number;
  groupId?: string;
  dedupId?: string;
  enqueuedAt: number;
  deliveryCount: number;
  firstDeliveredAt?: number;
  deadLetter?: Message['deadLetter'];
  receipt?: string;
  leaseExpiresAt?: number;
}

/** One result of a batch send. */
export type WireSendResult =
  | { id?: string; ok: true; messageId: string; sequence: string; duplicate: boolean }
  | { id?: string; ok: false; error: WireError };

/** One result of an ack, nack or extend. */
export type WireReceiptResult = { receipt: string; ok: true; leaseExpiresAt?: number } | { receipt: string; ok: false; error: WireError };

/**
 * Decodes base64 strictly; `field` names the input in the error. Node's decoder skips characters
 * it does not know, so a decoded length short of what the text's length implies means the text
 * held something else; checking that costs nothing, unlike a pattern over the whole body.
 */
export function decodeBase64(text: string, field: string): Uint8Array {
  let end = text.length;
  if (end > 0 && text.charCodeAt(end - 1) === 61 /* = */) end--;
  if (end > 0 && text.charCodeAt(end - 1) === 61) end--;
  const bytes = Buffer.from(text, 'base64');
  const padding = text.indexOf('=');
  if (end % 4 === 1 || (padding !== -1 && padding < end) || bytes.length !== Math.floor((end * 3) / 4)) {
    throw invalidArgument(field, `${field} is not valid base64`);
  }
  return bytes;
}

/** Turns a wire body into bytes. */
export function decodeBody(body: string, encoding: BodyEncoding | undefined, field: string): Uint8Array {
  return encoding === 'base64' ? decodeBase64(body, field) : Buffer.from(body, 'utf8');
}

/** Writes bytes as a wire body: base64 when asked or when the bytes are not valid UTF-8. */
export function encodeBody(bytes: Uint8Array, choice: BodyEncodingChoice): { body: string; bodyEncoding: BodyEncoding } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // isUtf8 checks without building a string; a leading byte-order mark stays part of the text.
  if (choice === 'auto' && isUtf8(buf)) return { body: buf.toString('utf8'), bodyEncoding: 'utf8' };
  return { body: buf.toString('base64'), bodyEncoding: 'base64' };
}

/** Wire headers to broker headers; `field` is the path of the headers object for errors. */
export function decodeHeaders(headers: Record<string, WireHeaderValue>, field: string): Headers {
  const out: Headers = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = typeof value === 'object' ? decodeBase64(value.base64, `${field}.${name}.base64`) : value;
  }
  return out;
}

/** Broker headers to wire headers. */
export function encodeHeaders(headers: Headers): Record<string, WireHeaderValue> {
  const out: Record<string, WireHeaderValue> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = value instanceof Uint8Array ? { base64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') } : value;
  }
  return out;
}

/** A wire send entry to the broker's SendInput; `field` prefixes error paths (e.g. `messages[2]`). */
export function decodeSendEntry(entry: WireSendEntry, field: string): SendInput {
  return decodeFramedSendEntry(entry, decodeBody(entry.body, entry.bodyEncoding, at(field, 'body')), field);
}

/** A send entry whose body is already bytes (a framed entry, or a JSON one once decoded) to the broker's SendInput. */
export function decodeFramedSendEntry(entry: Omit<WireSendEntry, 'body' | 'bodyEncoding'>, body: Uint8Array, field: string): SendInput {
  const input: SendInput = decodeMessageFields(entry, body, field);
  if (entry.id !== undefined) input.entryId = entry.id;
  return input;
}

/** A wire publish to the broker's PublishInput; `field` prefixes error paths (e.g. `messages[2]`). */
export function decodePublish(entry: WirePublish, field = ''): PublishInput {
  return decodeFramedPublish(entry, decodeBody(entry.body, entry.bodyEncoding, at(field, 'body')), field);
}

/** A publish whose body is already bytes (a framed entry, or a JSON one once decoded) to the broker's PublishInput. */
export function decodeFramedPublish(entry: Omit<WirePublish, 'body' | 'bodyEncoding'>, body: Uint8Array, field: string): PublishInput {
  const input: PublishInput = decodeMessageFields(entry, body, field);
  if (entry.routingKey !== undefined) input.routingKey = entry.routingKey;
  return input;
}

/** The error path of `name` inside `field` (`messages[2].body`, or just `body`). */
function at(field: string, name: string): string {
  return field === '' ? name : `${field}.${name}`;
}

/** The fields a send entry and a publish share, around an already decoded body. */
function decodeMessageFields(entry: Omit<WireSendEntry, 'id' | 'body' | 'bodyEncoding'>, body: Uint8Array, field: string): Omit<SendInput, 'entryId'> {
  const input: Omit<SendInput, 'entryId'> = { body };
  if (entry.headers !== undefined) input.headers = decodeHeaders(entry.headers, at(field, 'headers'));
  if (entry.priority !== undefined) input.priority = entry.priority;
  if (entry.delayMs !== undefined) input.delayMs = entry.delayMs;
  if (entry.ttlMs !== undefined) input.ttlMs = entry.ttlMs;
  if (entry.groupId !== undefined) input.groupId = entry.groupId;
  if (entry.dedupId !== undefined) input.dedupId = entry.dedupId;
  return input;
}

/** A stored or received message to its wire form. */
export function encodeMessage(m: Message | ReceivedMessage, choice: BodyEncodingChoice): WireMessage {
  return Object.assign(messageFields(m), encodeBody(m.body, choice));
}

/**
 * The JSON part of a framed receive answer (frames.ts): `{"messages":[...]}` with every field of
 * each message's wire form but the body, and `bodyBytes`. It is written by hand rather than by
 * JSON.stringify over fresh objects because a receive answers with hundreds of messages at a time
 * and this was its largest cost; only free-form text (group and dedup ids, headers, dead-letter
 * details) goes through JSON.stringify. Ids, sequences and receipts are plain ASCII by construction.
 */
export function framedMessagesJson(messages: ReadonlyArray<Message | ReceivedMessage>): string {
  let out = '{"messages":[';
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as Message | ReceivedMessage;
    if (i > 0) out += ',';
    out += `{"id":"${m.id}","sequence":"${m.sequence}","headers":${headersJson(m.headers)},"priority":${m.priority},"enqueuedAt":${m.enqueuedAt},"deliveryCount":${m.deliveryCount}`;
    if (m.groupId !== undefined) out += `,"groupId":${JSON.stringify(m.groupId)}`;
    if (m.dedupId !== undefined) out += `,"dedupId":${JSON.stringify(m.dedupId)}`;
    if (m.firstDeliveredAt !== undefined) out += `,"firstDeliveredAt":${m.firstDeliveredAt}`;
    if (m.deadLetter !== undefined) out += `,"deadLetter":${JSON.stringify(m.deadLetter)}`;
    if ('receipt' in m) out += `,"receipt":"${m.receipt}","leaseExpiresAt":${m.leaseExpiresAt}`;
    out += `,"bodyBytes":${m.body.byteLength}}`;
  }
  return out + ']}';
}

/** The last header set written by headersJson and its JSON: a stream's messages mostly share one. */
let lastHeaders: { headers: Headers; json: string } | undefined;

/** The wire JSON of a header set, reusing the last one's text when the set is equal to it. */
function headersJson(headers: Headers): string {
  if (lastHeaders !== undefined && sameHeaders(lastHeaders.headers, headers)) return lastHeaders.json;
  const json = JSON.stringify(encodeHeaders(headers));
  lastHeaders = { headers, json };
  return json;
}

/** Every field of a message's wire form but the body. */
function messageFields(m: Message | ReceivedMessage): Omit<WireMessage, 'body' | 'bodyEncoding'> {
  const out: Omit<WireMessage, 'body' | 'bodyEncoding'> = {
    id: m.id,
    sequence: m.sequence,
    headers: encodeHeaders(m.headers),
    priority: m.priority,
    enqueuedAt: m.enqueuedAt,
    deliveryCount: m.deliveryCount,
  };
  if (m.groupId !== undefined) out.groupId = m.groupId;
  if (m.dedupId !== undefined) out.dedupId = m.dedupId;
  if (m.firstDeliveredAt !== undefined) out.firstDeliveredAt = m.firstDeliveredAt;
  if (m.deadLetter !== undefined) out.deadLetter = m.deadLetter;
  if ('receipt' in m) {
    out.receipt = m.receipt;
    out.leaseExpiresAt = m.leaseExpiresAt;
  }
  return out;
}

/** One batch send result to its wire form. */
export function encodeSendResult(r: SendResult): WireSendResult {
  const out: WireSendResult = r.ok
    ? { ok: true, messageId: r.id, sequence: r.sequence, duplicate: r.duplicate }
    : { ok: false, error: wireErrorOf(r.error) };
  if (r.entryId !== undefined) out.id = r.entryId;
  return out;
}

/** One ack / nack / extend result to its wire form. */
export function encodeReceiptResult(r: ReceiptResult): WireReceiptResult {
  if (!r.ok) return { receipt: r.receipt, ok: false, error: wireErrorOf(r.error) };
  return r.leaseExpiresAt === undefined ? { receipt: r.receipt, ok: true } : { receipt: r.receipt, ok: true, leaseExpiresAt: r.leaseExpiresAt };
}

/**
 * The JSON answer of a batch send, `{"results":[...]}`, written by hand like framedMessagesJson:
 * batch sends answer with hundreds of results at a time. Ids and sequences are plain ASCII by
 * construction; the caller's entry ids and every error go through JSON.stringify.
 */
export function sendResultsJson(results: readonly SendResult[]): string {
  let out = '{"results":[';
  for (let i = 0; i < results.length; i++) {
    const r = results[i] as SendResult;
    if (i > 0) out += ',';
    if (!r.ok) {
      out += JSON.stringify(encodeSendResult(r));
      continue;
    }
    out += `{"ok":true,"messageId":"${r.id}","sequence":"${r.sequence}","duplicate":${r.duplicate}`;
    out += r.entryId === undefined ? '}' : `,"id":${JSON.stringify(r.entryId)}}`;
  }
  return out + ']}';
}

/**
 * The JSON answer of an ack, nack or extend, `{"results":[...]}`, written by hand. A receipt that
 * settled a lease was issued by this broker, so it is plain ASCII; refused receipts (which may be
 * anything a client sent) and their errors go through JSON.stringify.
 */
export function receiptResultsJson(results: readonly ReceiptResult[]): string {
  let out = '{"results":[';
  for (let i = 0; i < results.length; i++) {
    const r = results[i] as ReceiptResult;
    if (i > 0) out += ',';
    if (!r.ok) out += JSON.stringify(encodeReceiptResult(r));
    else if (r.leaseExpiresAt === undefined) out += `{"receipt":"${r.receipt}","ok":true}`;
    else out += `{"receipt":"${r.receipt}","ok":true,"leaseExpiresAt":${r.leaseExpiresAt}}`;
  }
  return out + ']}';
}
