/**
 * Binary layouts of the two per-message records. A fixed layout is read and written without a
 * general-purpose encoder on the hot path, and checked field by field when read back.
 *
 * Index entry (`msgs`), little-endian:
 *   0 u8 version | 1 u8 flags | 2 u8 priority | 3 u8 reserved | 4 u32 queue id
 *   8 u32 delivery count | 12 u32 body size | 16 f64 enqueued at | 24 f64 due at
 *   32 f64 expires at | 40 f64 first delivered at
 *   48 [group: u16 length + UTF-8] [dead letter: u8 reason, f64 at, u16 length + UTF-8 source queue]
 *
 * Body record (`bodies`): 0 u32 CRC-32 of the body | 4 u32 length of the extras |
 *   8 extras (MessagePack of headers and dedup id, when any) | the body bytes.
 */
import { crc32 } from 'node:zlib';
import { pack, unpack } from 'msgpackr';
import { sameHeaders } from '../../core/headers.js';
import type { DeadLetterInfo, Headers } from '../../core/types.js';
import { Msg, MsgState, type MemBody } from './msg.js';

const INDEX_VERSION = 1;
const INDEX_FIXED_BYTES = 48;
const FLAG_HOLDS_GROUP = 1;
const FLAG_GROUP = 2;
const FLAG_DEAD_LETTER = 4;
const BODY_FIXED_BYTES = 8;
const REASONS: ReadonlyArray<DeadLetterInfo['reason']> = ['maxDeliveries', 'expired', 'overflow'];

/** What a body record holds: the same as what memory-only messages keep in memory. */
export type BodyRecord = MemBody;

/** Thrown by the decoders; the store turns it into a StorageError naming the record. */
export class RecordError extends Error {}

/** Encodes a message's index entry. */
export function encodeIndex(queueId: number, msg: Msg): Buffer {
  const group = msg.groupId === undefined ? undefined : Buffer.from(msg.groupId, 'utf8');
  const dead = msg.deadLetter;
  const source = dead === undefined ? undefined : Buffer.from(dead.sourceQueue, 'utf8');
  const size = INDEX_FIXED_BYTES + (group ? 2 + group.length : 0) + (source ? 11 + source.length : 0);
  const buf = Buffer.allocUnsafe(size);
  let flags = 0;
  if (msg.holdsGroup) flags |= FLAG_HOLDS_GROUP;
  if (group) flags |= FLAG_GROUP;
  if (source) flags |= FLAG_DEAD_LETTER;
  buf.writeUInt8(INDEX_VERSION, 0);
  buf.writeUInt8(flags, 1);
  buf.writeUInt8(msg.priority, 2);
  buf.writeUInt8(0, 3);
  buf.writeUInt32LE(queueId, 4);
  buf.writeUInt32LE(msg.deliveryCount, 8);
  buf.writeUInt32LE(msg.size, 12);
  buf.writeDoubleLE(msg.enqueuedAt, 16);
  // A leased message is ready again after a restart (its lease died with the process).
  buf.writeDoubleLE(msg.state === MsgState.Leased ? 0 : msg.dueAt, 24);
  buf.writeDoubleLE(msg.expiresAt, 32);
  buf.writeDoubleLE(msg.firstDeliveredAt, 40);
  let at = INDEX_FIXED_BYTES;
  if (group) {
    buf.writeUInt16LE(group.length, at);
    group.copy(buf, at + 2);
    at += 2 + group.length;
  }
  if (source && dead) {
    buf.writeUInt8(REASONS.indexOf(dead.reason), at);
    buf.writeDoubleLE(dead.at, at + 1);
    buf.writeUInt16LE(source.length, at + 9);
    source.copy(buf, at + 11);
  }
  return buf;
}

/** Decodes and checks an index entry: the message and the id of the queue holding it. */
export function decodeIndex(seq: number, buf: Uint8Array): { queueId: number; msg: Msg } {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < INDEX_FIXED_BYTES || b.readUInt8(0) !== INDEX_VERSION) throw new RecordError('not a message index entry');
  const flags = b.readUInt8(1);
  const priority = b.readUInt8(2);
  if (priority > 9) throw new RecordError(`priority ${priority} is out of range`);
  const enqueuedAt = b.readDoubleLE(16);
  const dueAt = b.readDoubleLE(24);
  const expiresAt = b.readDoubleLE(32);
  const firstDeliveredAt = b.readDoubleLE(40);
  if (!isTime(enqueuedAt) || !isTime(dueAt) || !isTime(expiresAt) || !isTime(firstDeliveredAt)) throw new RecordError('a time stamp is not a time');
  let at = INDEX_FIXED_BYTES;
  let groupId: string | undefined;
  if (flags & FLAG_GROUP) {
    const len = readLength(b, at);
    groupId = b.toString('utf8', at + 2, at + 2 + len);
    at += 2 + len;
  }
  const msg = new Msg(seq, enqueuedAt, dueAt, expiresAt, b.readUInt32LE(8), priority, b.readUInt32LE(12), groupId);
  if (firstDeliveredAt !== 0) msg.firstDeliveredAt = firstDeliveredAt;
  if (flags & FLAG_HOLDS_GROUP) msg.holdsGroup = true;
  if (flags & FLAG_DEAD_LETTER) {
    if (b.length < at + 11) throw new RecordError('the dead-letter record is cut short');
    const reason = REASONS[b.readUInt8(at)];
    if (reason === undefined) throw new RecordError('unknown dead-letter reason');
    const len = readLength(b, at + 9);
    msg.deadLetter = { reason, at: b.readDoubleLE(at + 1), sourceQueue: b.toString('utf8', at + 11, at + 11 + len) };
    at += 11 + len;
  }
  if (at !== b.length) throw new RecordError('trailing bytes after the index entry');
  return { queueId: b.readUInt32LE(4), msg };
}

function isTime(t: number): boolean {
  return t >= 0 && t < Number.MAX_SAFE_INTEGER;
}

function readLength(b: Buffer, at: number): number {
  if (b.length < at + 2) throw new RecordError('a length field is cut short');
  const len = b.readUInt16LE(at);
  if (b.length < at + 2 + len) throw new RecordError('a string runs past the end of the record');
  return len;
}

/** Encodes a body record. */
export function encodeBody(body: Uint8Array, headers: Headers, dedupId: string | undefined): Buffer {
  const extras = packExtras(headers, dedupId);
  const extraLen = extras?.length ?? 0;
  const buf = Buffer.allocUnsafe(BODY_FIXED_BYTES + extraLen + body.byteLength);
  buf.writeUInt32LE(crc32(body), 0);
  buf.writeUInt32LE(extraLen, 4);
  if (extras) extras.copy(buf, BODY_FIXED_BYTES);
  buf.set(body, BODY_FIXED_BYTES + extraLen);
  return buf;
}

/** The extras packed last (headers without a dedup id), reused while the next message's are equal. */
let lastPacked: { headers: Headers; packed: Buffer } | undefined;

/** The packed extras of a body record, or undefined when there are none. */
function packExtras(headers: Headers, dedupId: string | undefined): Buffer | undefined {
  if (dedupId !== undefined) return pack([headers, dedupId]);
  if (lastPacked !== undefined && sameHeaders(lastPacked.headers, headers)) return lastPacked.packed;
  let empty = true;
  for (const _ in headers) {
    empty = false;
    break;
  }
  if (empty) return undefined;
  // A copy, so that the kept bytes can never be a view of a buffer the packer reuses.
  const packed = Buffer.from(pack([headers]));
  lastPacked = { headers, packed };
  return packed;
}

/** Decodes a body record and checks it against the size in the index entry and its CRC-32. */
export function decodeBody(buf: Uint8Array, expectedSize: number): BodyRecord {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < BODY_FIXED_BYTES) throw new RecordError('the body record is cut short');
  const extraLen = b.readUInt32LE(4);
  const start = BODY_FIXED_BYTES + extraLen;
  if (b.length - start !== expectedSize) throw new RecordError('the body does not have the size its index entry gives');
  const body = b.subarray(start);
  if (crc32(body) !== b.readUInt32LE(0)) throw new RecordError('the body does not match its checksum');
  let headers: Headers = {};
  let dedupId: string | undefined;
  if (extraLen > 0) {
    // Messages of one stream mostly carry the same headers (a content type): decode them once.
    const packed = b.subarray(BODY_FIXED_BYTES, start);
    if (lastExtras === undefined || !packed.equals(lastExtras.packed)) lastExtras = unpackExtras(packed);
    // Each message gets its own headers object; the decoded set stays shared by the cache only.
    headers = { ...lastExtras.headers };
    dedupId = lastExtras.dedupId;
  }
  return { body, headers, dedupId };
}

/**
 * Unpacks a record's extras from a copy of their bytes: byte values come out as views of the bytes
 * they were read from, and the record may sit in a read buffer that the next read overwrites.
 */
function unpackExtras(packed: Uint8Array): DecodedExtras {
  const copy = Buffer.from(packed);
  const extras = unpack(copy) as unknown;
  if (!Array.isArray(extras) || typeof extras[0] !== 'object' || extras[0] === null) throw new RecordError('the headers are damaged');
  return { packed: copy, headers: extras[0] as Headers, dedupId: typeof extras[1] === 'string' ? extras[1] : undefined };
}

/** A record's decoded extras and the packed bytes they came from. */
interface DecodedExtras {
  packed: Buffer;
  headers: Headers;
  dedupId: string | undefined;
}

/** The extras (headers, dedup id) decoded last, by their packed bytes. */
let lastExtras: DecodedExtras | undefined;
