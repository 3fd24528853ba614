/** DeleteMessage: acknowledges one received message. */
import { authorize, targetQueue, type SqsAction } from '../context.js';
import { reqString } from '../params.js';
import { settleReceipts } from '../receipts.js';

/** DeleteMessage: QueueUrl, ReceiptHandle → nothing. */
export const deleteMessage: SqsAction = async (ctx, input) => {
  const name = targetQueue(ctx, input);
  const receipt = reqString(input, 'ReceiptHandle');
  authorize(ctx, 'receive', name);
  const [outcome] = await settleReceipts(ctx, name, [{ receipt }], 'delete');
  if (outcome !== undefined && outcome.error !== undefined) throw outcome.error;
  return {};
};
