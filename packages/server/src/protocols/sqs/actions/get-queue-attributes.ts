/** GetQueueAttributes: settings and counts of a queue, as SQS attributes. */
import { authorizeAny, loadQueue, targetQueue, type SqsAction } from '../context.js';
import { optStringList } from '../params.js';
import { checkAttributeNames, configToAttributes } from '../queue-attributes.js';

/** GetQueueAttributes: QueueUrl, AttributeNames → Attributes (none asked, none returned). */
export const getQueueAttributes: SqsAction = async (ctx, input) => {
  const name = targetQueue(ctx, input);
  const names = optStringList(input, 'AttributeNames') ?? [];
  checkAttributeNames(names);
  authorizeAny(ctx, name);
  const info = await loadQueue(ctx, name);
  if (names.length === 0) return {};
  const stats = await ctx.broker.queueStats(name);
  return { Attributes: configToAttributes(ctx.naming, info, stats, names) };
};
