/** SendMessageBatch: up to 10 messages in one request, each succeeding or failing on its own. */
import type { SendInput } from '../../../core/types.js';
import { batchFailure, checkBatch, type BatchFailure } from '../batch.js';
import { authorize, loadQueue, targetQueue, type SqsAction } from '../context.js';
import { SqsError, toSqsError } from '../errors.js';
import { SqsLimits } from '../limits.js';
import { optRecordList } from '../params.js';
import { prepareSend, sendResultFields, type PreparedSend } from '../send-entry.js';

/** SendMessageBatch: Entries → Successful and Failed entries, in request order. */
export const sendMessageBatch: SqsAction = async (ctx, input) => {
  const name = targetQueue(ctx, input);
  const entries = checkBatch(optRecordList(input, 'Entries'), 'SendMessageBatchRequestEntry');
  authorize(ctx, 'send', name);
  ctx.admitSend();
  const queue = await loadQueue(ctx, name);

  const failed: BatchFailure[] = [];
  const prepared: Array<{ id: string; send: PreparedSend }> = [];
  let totalBytes = 0;
  for (const entry of entries) {
    try {
      const send = prepareSend(queue, entry);
      totalBytes += send.sizeBytes;
      prepared.push({ id: entry.Id, send });
    } catch (e) {
      const error = toSqsError(e);
      if (error === null) throw e;
      failed.push(batchFailure(entry.Id, error));
    }
  }
  if (totalBytes > SqsLimits.batchTotalBytesMax) {
    throw new SqsError(
      'BatchRequestTooLong',
      `Batch requests cannot be longer than ${SqsLimits.batchTotalBytesMax} bytes. You have sent ${totalBytes} bytes.`,
    );
  }

  const successful: Array<Record<string, string>> = [];
  if (prepared.length > 0) {
    const inputs: SendInput[] = prepared.map((p) => ({ ...p.send.input, entryId: p.id }));
    const results = await ctx.broker.send(name, inputs);
    results.forEach((result, i) => {
      const p = prepared[i]!;
      if (result.ok) {
        successful.push({ Id: p.id, ...sendResultFields(p.send, result.id, queue.config.fifo ? result.sequence : undefined) });
      } else {
        failed.push(batchFailure(p.id, toSqsError(result.error) ?? new SqsError('InternalFailure', 'send failed')));
      }
    });
  }
  return { Successful: successful, Failed: failed };
};
