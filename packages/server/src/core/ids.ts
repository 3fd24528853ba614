/**
 * Message ids and receipts. An id encodes the enqueue time and the broker-wide sequence number,
 * so ids sort by enqueue time and are unique without any lookup. A receipt names one lease of
 * one message.
 */
import { randomBytes } from 'node:crypto';

const TIME_DIGITS = 9; // base 36, enough for epoch milliseconds until the year 5188
const SEQ_DIGITS = 11; // base 36, about 1.3e17 sequence numbers

/** Builds the id of a message from its enqueue time and sequence number. */
export function messageId(enqueuedAt: number, seq: number): string {
  return enqueuedAt.toString(36).padStart(TIME_DIGITS, '0') + seq.toString(36).padStart(SEQ_DIGITS, '0');
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

/** The parts of a valid receipt. */
export interface ReceiptParts {
  seq: number;
  deliveryCount: number;
}

/**
 * Encodes and checks receipts. A receipt carries a random token of the process that issued it:
 * leases do not survive a restart, so a receipt from an earlier process is told apart (invalid)
 * from a stale one of this process (its lease ended).
 */
export class ReceiptCodec {
  private readonly token: string;

  constructor(token: string = randomBytes(9).toString('base64url')) {
    this.token = token;
  }

  /** The receipt of lease number `deliveryCount` of message `seq`. */
  encode(seq: number, deliveryCount: number): string {
    return `${seq.toString(36)}.${deliveryCount.toString(36)}.${this.token}`;
  }

  /** The lease a receipt names, or undefined when it is malformed or was not issued by this process. */
  decode(receipt: string): ReceiptParts | undefined {
    if (typeof receipt !== 'string' || receipt.length > 64) return undefined;
    const parts = receipt.split('.');
    if (parts.length !== 3 || parts[2] !== this.token) return undefined;
    const [seqText, countText] = parts as [string, string];
    if (!/^[0-9a-z]{1,11}$/.test(seqText) || !/^[0-9a-z]{1,7}$/.test(countText)) return undefined;
    return { seq: parseInt(seqText, 36), deliveryCount: parseInt(countText, 36) };
  }
}
