/**
 * Message ids and receipts. An id encodes the enqueue time and the broker-wide sequence number,
 * so ids sort by enqueue time and are unique without any lookup. A receipt names one lease of
 * one message and carries that lease's random key.
 */
import { randomBytes } from 'node:crypto';

const TIME_DIGITS = 9; // base 36, enough for epoch milliseconds until the year 5188
const SEQ_DIGITS = 11; // base 36, about 1.3e17 sequence numbers

/** The time part of the last id built: a batch of messages shares its enqueue time. */
let lastTime = -1;
let lastTimeText = '';

/** Builds the id of a message from its enqueue time and sequence number. */
export function messageId(enqueuedAt: number, seq: number): string {
  if (enqueuedAt !== lastTime) {
    lastTime = enqueuedAt;
    lastTimeText = enqueuedAt.toString(36).padStart(TIME_DIGITS, '0');
  }
  return lastTimeText + seq.toString(36).padStart(SEQ_DIGITS, '0');
}

/** Formats a sequence number as the fixed-width decimal string clients see. */
export function formatSequence(seq: number): string {
  return seq.toString().padStart(20, '0');
}

/** Parses a sequence string from a client; returns undefined when it is not one. */
export function parseSequence(text: string): number | undefined {
  if (!/^\d{1,20}$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The parts of a well-formed receipt. */
export interface ReceiptParts {
  seq: number;
  deliveryCount: number;
  /** The random key of the lease, compared with the one the broker keeps for it. */
  leaseKey: string;
}

const KEY_BYTES = 9;
const POOL_BYTES = 9 * 1024;
let pool = randomBytes(POOL_BYTES);
let poolOffset = 0;

/**
 * A fresh random lease key (72 bits, 12 characters). Keys come from a pooled buffer of random bytes,
 * so granting a lease costs no system call. A receipt carries its lease's key, so knowing one
 * receipt does not let anyone build the receipt of another lease.
 */
export function newLeaseKey(): string {
  if (poolOffset + KEY_BYTES > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const key = pool.toString('base64url', poolOffset, poolOffset + KEY_BYTES);
  poolOffset += KEY_BYTES;
  return key;
}

/** The receipt of lease number `deliveryCount` of message `seq`, holding the lease's key. */
export function encodeReceipt(seq: number, deliveryCount: number, leaseKey: string): string {
  return `${seq.toString(36)}.${deliveryCount.toString(36)}.${leaseKey}`;
}

/** A receipt: base-36 sequence (1-11 digits), base-36 delivery count (1-7), 12-character base64url key. */
const receiptPattern = /^([0-9a-z]{1,11})\.([0-9a-z]{1,7})\.([A-Za-z0-9_-]{12})$/;

/** The parts of a receipt, or undefined when it is malformed. */
export function decodeReceipt(receipt: string): ReceiptParts | undefined {
  if (typeof receipt !== 'string' || receipt.length > 64) return undefined;
  const m = receiptPattern.exec(receipt);
  if (m === null) return undefined;
  return { seq: parseInt(m[1] as string, 36), deliveryCount: parseInt(m[2] as string, 36), leaseKey: m[3] as string };
}
