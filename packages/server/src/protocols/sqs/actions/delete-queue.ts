/** DeleteQueue: deletes a queue and its messages. */
import { authorize, targetQueue, type SqsAction } from '../context.js';

/** DeleteQueue: QueueUrl → nothing. */
export const deleteQueue: SqsAction = async (ctx, input) => {
  const name = targetQueue(ctx, input);
  authorize(ctx, 'manage', name);
  await ctx.broker.deleteQueue(name);
  return {};
};
