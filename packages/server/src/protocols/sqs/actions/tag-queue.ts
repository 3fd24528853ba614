/** TagQueue: adds or replaces tags of a queue. */
import { authorize, loadQueue, targetQueue, type SqsAction } from '../context.js';
import { missingParameter } from '../errors.js';
import { optStringMap } from '../params.js';
import { checkTags } from '../validate.js';

/** TagQueue: QueueUrl, Tags → nothing. */
export const tagQueue: SqsAction = async (ctx, input) => {
  const name = targetQueue(ctx, input);
  const tags = optStringMap(input, 'Tags');
  if (tags === undefined || Object.keys(tags).length === 0) throw missingParameter('Tags');
  authorize(ctx, 'manage', name);
  const queue = await loadQueue(ctx, name);
  const merged = { ...queue.config.tags, ...tags };
  checkTags(merged);
  await ctx.broker.updateQueue(name, { tags: merged });
  return {};
};
