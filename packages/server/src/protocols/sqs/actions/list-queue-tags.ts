/** ListQueueTags: the tags of a queue. */
import { authorizeAny, loadQueue, targetQueue, type SqsAction } from '../context.js';

/** ListQueueTags: QueueUrl → Tags. */
export const listQueueTags: SqsAction = async (ctx, input) => {
  const name = targetQueue(ctx, input);
  authorizeAny(ctx, name);
  const queue = await loadQueue(ctx, name);
  return Object.keys(queue.config.tags).length === 0 ? {} : { Tags: { ...queue.config.tags } };
};
