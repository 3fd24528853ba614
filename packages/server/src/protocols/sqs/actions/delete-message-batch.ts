/** DeleteMessageBatch: acknowledges up to 10 received messages. */
import type { SqsAction } from '../context.js';
import { settleReceiptBatch } from '../receipts.js';

/** DeleteMessageBatch: Entries (Id, ReceiptHandle) → Successful and Failed. */
export const deleteMessageBatch: SqsAction = (ctx, input) => settleReceiptBatch(ctx, input, 'DeleteMessageBatchRequestEntry', 'delete');
