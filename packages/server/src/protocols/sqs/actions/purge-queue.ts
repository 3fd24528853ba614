/** PurgeQueue: removes every message of a queue. */
import { authorize, targetQueue, type SqsAction } from '../context.js';

/** PurgeQueue: QueueUrl → nothing; takes effect at once (no 60-second purge window). */
export const purgeQueue: SqsAction = async (ctx, input) => {
  const name = targetQueue(ctx, input);
  authorize(ctx, 'manage', name);
  await ctx.broker.purgeQueue(name);
  return {};
};
