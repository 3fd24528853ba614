/** ChangeMessageVisibility: sets when an in-flight message becomes visible again. */
import { authorize, targetQueue, type SqsAction } from '../context.js';
import { missingParameter } from '../errors.js';
import { SqsLimits } from '../limits.js';
import { optInt, reqString } from '../params.js';
import { settleReceipts } from '../receipts.js';

/**
 * ChangeMessageVisibility: the new timeout counts from the moment of the call, may be repeated on
 * the same receipt, and 0 makes the message visible at once (waking waiting receives).
 */
export const changeMessageVisibility: SqsAction = async (ctx, input) => {
  const name = targetQueue(ctx, input);
  const receipt = reqString(input, 'ReceiptHandle');
  const seconds = optInt(input, 'VisibilityTimeout', 0, SqsLimits.visibilityTimeoutSecondsMax);
  if (seconds === undefined) throw missingParameter('VisibilityTimeout');
  authorize(ctx, 'receive', name);
  const [outcome] = await settleReceipts(ctx, name, [{ receipt, visibilitySeconds: seconds }], 'change');
  if (outcome !== undefined && outcome.error !== undefined) throw outcome.error;
  return {};
};
