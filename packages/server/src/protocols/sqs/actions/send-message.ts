/** SendMessage: one message into a queue. */
import { authorize, loadQueue, targetQueue, type SqsAction } from '../context.js';
import { prepareSend, sendResultFields } from '../send-entry.js';

/** SendMessage → MessageId, digests and (FIFO) SequenceNumber. A FIFO duplicate returns the first message's id. */
export const sendMessage: SqsAction = async (ctx, input) => {
  const name = targetQueue(ctx, input);
  authorize(ctx, 'send', name);
  ctx.admitSend();
  const queue = await loadQueue(ctx, name);
  const prepared = prepareSend(queue, input);
  const [result] = await ctx.broker.send(name, [prepared.input]);
  if (result === undefined) throw new Error('broker returned no result for a send of one message');
  if (!result.ok) throw result.error;
  return sendResultFields(prepared, result.id, queue.config.fifo ? result.sequence : undefined);
};
