/**
 * Message ids and receipts. An id encodes the enqueue time and the broker-wide sequence number,
 * so ids sort by enqueue time and are unique without any lookup. A receipt names one lease of
 * one message and carries an HMAC, so that a forged or mangled receipt is told apart from a
 * stale one.
 */
import { createHmac, randomBytes } from 'node:crypto';

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

/** Signs and checks receipts with a key that lives as long as the process (leases do not survive a restart). */
export class ReceiptCodec {
  private readonly key: Buffer;

  constructor(key: Buffer = randomBytes(32)) {
    this.key = key;
  }

  /** The receipt of lease number `deliveryCount` of message `seq`. */
  encode(seq: number, deliveryCount: number): string {
    const body = `${seq.toString(36)}.${deliveryCount.toString(36)}`;
    return `${body}.${this.mac(body)}`;
  }

  /** The lease a receipt names, or undefined when it is malformed or was not issued here. */
  decode(receipt: string): ReceiptParts | undefined {
    if (typeof receipt !== 'string' || receipt.length > 64) return undefined;
    const parts = receipt.split('.');
    if (parts.length !== 3) return undefined;
    const [seqText, countText, mac] = parts as [string, string, string];
    if (this.mac(`${seqText}.${countText}`) !== mac) return undefined;
    const seq = parseInt(seqText, 36);
    const deliveryCount = parseInt(countText, 36);
    if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(deliveryCount)) return undefined;
    return { seq, deliveryCount };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url').slice(0, 16);
  }
}
