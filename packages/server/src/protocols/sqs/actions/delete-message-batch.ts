/** DeleteMessageBatch: acknowledges up to 10 received messages. */
import { batchFailure, checkBatch, type BatchFailure } from '../batch.js';
import { authorize, targetQueue, type SqsAction } from '../context.js';
import { optRecordList } from '../params.js';
import { receiptEntries, settleReceipts } from '../receipts.js';

/** DeleteMessageBatch: Entries (Id, ReceiptHandle) → Successful and Failed. */
export const deleteMessageBatch: SqsAction = async (ctx, input) => {
  const name = targetQueue(ctx, input);
  const entries = checkBatch(optRecordList(input, 'Entries'), 'DeleteMessageBatchRequestEntry');
  authorize(ctx, 'receive', name);
  const { valid, failed } = receiptEntries(entries, false);
  const outcomes = await settleReceipts(ctx, name, valid, 'delete');
  const successful: Array<{ Id: string }> = [];
  const failures: BatchFailure[] = [...failed];
  outcomes.forEach((o, i) => {
    const id = valid[i]!.id;
    if (o.error === undefined) successful.push({ Id: id });
    else failures.push(batchFailure(id, o.error));
  });
  return { Successful: successful, Failed: failures };
};
