/** ChangeMessageVisibilityBatch: changes the visibility of up to 10 in-flight messages. */
import type { SqsAction } from '../context.js';
import { settleReceiptBatch } from '../receipts.js';

/** ChangeMessageVisibilityBatch: Entries (Id, ReceiptHandle, VisibilityTimeout) → Successful and Failed. */
export const changeMessageVisibilityBatch: SqsAction = (ctx, input) => settleReceiptBatch(ctx, input, 'ChangeMessageVisibilityBatchRequestEntry', 'change');
