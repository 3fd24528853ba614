/** ChangeMessageVisibilityBatch: changes the visibility of up to 10 in-flight messages. */
import { batchFailure, checkBatch, type BatchFailure } from '../batch.js';
import { authorize, targetQueue, type SqsAction } from '../context.js';
import { optRecordList } from '../params.js';
import { receiptEntries, settleReceipts } from '../receipts.js';

/** ChangeMessageVisibilityBatch: Entries (Id, ReceiptHandle, VisibilityTimeout) → Successful and Failed. */
export const changeMessageVisibilityBatch: SqsAction = async (ctx, input) => {
  const name = targetQueue(ctx, input);
  const entries = checkBatch(optRecordList(input, 'Entries'), 'ChangeMessageVisibilityBatchRequestEntry');
  authorize(ctx, 'receive', name);
  const { valid, failed } = receiptEntries(entries, true);
  const outcomes = await settleReceipts(ctx, name, valid, 'change');
  const successful: Array<{ Id: string }> = [];
  const failures: BatchFailure[] = [...failed];
  outcomes.forEach((o, i) => {
    const id = valid[i]!.id;
    if (o.error === undefined) successful.push({ Id: id });
    else failures.push(batchFailure(id, o.error));
  });
  return { Successful: successful, Failed: failures };
};
