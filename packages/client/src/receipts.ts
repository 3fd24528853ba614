/**
 * Ack, nack and extend share one wire shape: a list of receipts in, a list of per-receipt
 * results out. This file turns those answers into outcomes.
 */
import { ChuteError, errorFromWire } from './errors.js';
import type { EntryOutcome } from './coalescer.js';
import type { ReceiptOutcome } from './types.js';
import type { WireReceiptResult } from './wire.js';

/** Something that names a lease: its receipt, or a received message. */
export type ReceiptLike = string | { readonly receipt: string };

/** The receipt of a {@link ReceiptLike}. */
export function receiptOf(target: ReceiptLike): string {
  return typeof target === 'string' ? target : target.receipt;
}

/**
 * Lines up the broker's results with the receipts sent. Results are matched by receipt (the
 * same receipt twice takes the results in order), falling back to position.
 */
export function matchReceiptResults(receipts: string[], results: WireReceiptResult[] | undefined): ReceiptOutcome[] {
  if (!Array.isArray(results)) throw new ChuteError('BadResponse', 'the broker answered without a results list');
  // The broker answers in the order of the request; matching by receipt is only needed otherwise.
  if (results.length === receipts.length && results.every((r, i) => r?.receipt === receipts[i])) {
    return results.map((r) => toOutcome(r.receipt, r));
  }
  const byReceipt = new Map<string, WireReceiptResult[]>();
  for (const r of results) {
    const list = byReceipt.get(r.receipt);
    if (list === undefined) byReceipt.set(r.receipt, [r]);
    else list.push(r);
  }
  return receipts.map((receipt, i) => {
    const r = byReceipt.get(receipt)?.shift() ?? results[i];
    if (r === undefined) return { ok: false, receipt, error: new ChuteError('BadResponse', `no result for receipt ${i}`) };
    return toOutcome(receipt, r);
  });
}

function toOutcome(receipt: string, r: WireReceiptResult): ReceiptOutcome {
  if (r.ok) return r.leaseExpiresAt === undefined ? { ok: true, receipt } : { ok: true, receipt, leaseExpiresAt: r.leaseExpiresAt };
  return { ok: false, receipt, error: errorFromWire(r.error) };
}

/** Converts receipt outcomes to coalescer outcomes. */
export function toEntryOutcomes<R>(outcomes: ReceiptOutcome[], value: (o: ReceiptOutcome & { ok: true }) => R): Array<EntryOutcome<R>> {
  return outcomes.map((o) => (o.ok ? { ok: true, value: value(o) } : { ok: false, error: o.error }));
}
