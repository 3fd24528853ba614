/**
 * Deleting messages and changing their visibility by receipt, shared by the single and batch
 * actions: SQS's rules on stale receipts and on the 12-hour visibility total are applied here.
 */
import { isChuteError } from '../../core/errors.js';
import type { ReceiptResult } from '../../core/types.js';
import { batchFailure, checkBatch, type BatchFailure } from './batch.js';
import { authorize, targetQueue, type SqsContext, type SqsOutput } from './context.js';
import { SqsError, invalidParameter, toSqsError } from './errors.js';
import { SqsLimits } from './limits.js';
import { optInt, optRecordList, optString, type SqsInput } from './params.js';

/** One receipt to settle; `visibilitySeconds` for a change. */
export interface ReceiptEntry {
  receipt: string;
  visibilitySeconds?: number;
}

/** The outcome of one entry: success, or the SQS error to report. */
export interface ReceiptOutcome {
  error?: SqsError;
}

/**
 * Reads batch entries' ReceiptHandle (and VisibilityTimeout for a change); an entry with a bad
 * value fails alone.
 */
export function receiptEntries(
  entries: Array<SqsInput & { Id: string }>,
  withVisibility: boolean,
): { valid: Array<ReceiptEntry & { id: string }>; failed: BatchFailure[] } {
  const valid: Array<ReceiptEntry & { id: string }> = [];
  const failed: BatchFailure[] = [];
  for (const entry of entries) {
    try {
      const receipt = optString(entry, 'ReceiptHandle');
      if (receipt === undefined || receipt === '') throw new SqsError('MissingParameter', 'The request must contain the parameter ReceiptHandle.');
      if (!withVisibility) {
        valid.push({ id: entry.Id, receipt });
        continue;
      }
      const seconds = optInt(entry, 'VisibilityTimeout', 0, SqsLimits.visibilityTimeoutSecondsMax);
      if (seconds === undefined) throw new SqsError('MissingParameter', 'The request must contain the parameter VisibilityTimeout.');
      valid.push({ id: entry.Id, receipt, visibilitySeconds: seconds });
    } catch (e) {
      const error = toSqsError(e);
      if (error === null) throw e;
      failed.push(batchFailure(entry.Id, error));
    }
  }
  return { valid, failed };
}

/**
 * Deletes (acks) or changes the visibility of (extends) each entry, in one broker call. A delete
 * with a receipt whose lease has ended succeeds without deleting anything, as Amazon SQS answers
 * it; a change with such a receipt is MessageNotInflight.
 */
export async function settleReceipts(
  ctx: SqsContext,
  queue: string,
  entries: ReceiptEntry[],
  kind: 'delete' | 'change',
): Promise<ReceiptOutcome[]> {
  if (entries.length === 0) return [];
  if (kind === 'delete') {
    const results = await ctx.broker.ack(queue, entries.map((e) => e.receipt));
    return results.map((r) => {
      ctx.leaseStarts.forget(r.receipt);
      if (!r.ok && isChuteError(r.error, 'LeaseExpired')) return {};
      return outcomeOf(r);
    });
  }
  const nowMs = ctx.now();
  const outcomes: ReceiptOutcome[] = entries.map((e) => ({ error: totalVisibilityError(ctx, e, nowMs) }));
  const allowed = entries.filter((_, i) => outcomes[i]!.error === undefined);
  const results = await ctx.broker.extend(
    queue,
    allowed.map((e) => ({ receipt: e.receipt, visibilityTimeoutMs: (e.visibilitySeconds ?? 0) * 1000 })),
  );
  let next = 0;
  return outcomes.map((o) => (o.error !== undefined ? o : outcomeOf(results[next++]!)));
}

/** Amazon SQS keeps a message invisible for at most 12 hours after the receive that leased it. */
function totalVisibilityError(ctx: SqsContext, entry: ReceiptEntry, nowMs: number): SqsError | undefined {
  const start = ctx.leaseStarts.startOf(entry.receipt);
  const seconds = entry.visibilitySeconds ?? 0;
  if (start === undefined || nowMs - start + seconds * 1000 <= SqsLimits.visibilityTimeoutSecondsMax * 1000) return undefined;
  return invalidParameter(
    'VisibilityTimeout',
    seconds,
    `Total VisibilityTimeout for the message is beyond the limit [${SqsLimits.visibilityTimeoutSecondsMax} seconds]`,
  );
}

function outcomeOf(result: ReceiptResult): ReceiptOutcome {
  if (result.ok) return {};
  return { error: toSqsError(result.error) ?? new SqsError('InternalFailure', 'the broker could not settle this receipt') };
}

/**
 * The whole of DeleteMessageBatch and ChangeMessageVisibilityBatch, which differ only in the
 * entry's name, whether it carries a VisibilityTimeout, and what is done to each lease.
 */
export async function settleReceiptBatch(ctx: SqsContext, input: SqsInput, entryName: string, op: 'delete' | 'change'): Promise<SqsOutput> {
  const name = targetQueue(ctx, input);
  const entries = checkBatch(optRecordList(input, 'Entries'), entryName);
  authorize(ctx, 'receive', name);
  const { valid, failed } = receiptEntries(entries, op === 'change');
  const outcomes = await settleReceipts(ctx, name, valid, op);
  const successful: Array<{ Id: string }> = [];
  const failures: BatchFailure[] = [...failed];
  outcomes.forEach((o, i) => {
    const id = valid[i]!.id;
    if (o.error === undefined) successful.push({ Id: id });
    else failures.push(batchFailure(id, o.error));
  });
  return { Successful: successful, Failed: failures };
}
