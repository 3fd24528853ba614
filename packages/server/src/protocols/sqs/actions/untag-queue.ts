/** UntagQueue: removes tags of a queue by key. */
import { authorize, loadQueue, targetQueue, type SqsAction } from '../context.js';
import { missingParameter } from '../errors.js';
import { optStringList } from '../params.js';

/** UntagQueue: QueueUrl, TagKeys → nothing (unknown keys are ignored). */
export const untagQueue: SqsAction = async (ctx, input) => {
  const name = targetQueue(ctx, input);
  const keys = optStringList(input, 'TagKeys');
  if (keys === undefined || keys.length === 0) throw missingParameter('TagKeys');
  authorize(ctx, 'manage', name);
  const queue = await loadQueue(ctx, name);
  const remaining = { ...queue.config.tags };
  for (const key of keys) delete remaining[key];
  await ctx.broker.updateQueue(name, { tags: remaining });
  return {};
};
