/** SetQueueAttributes: changes settings of a queue. */
import { authorize, loadQueue, targetQueue, type SqsAction } from '../context.js';
import { missingParameter } from '../errors.js';
import { optStringMap } from '../params.js';
import { attributesToConfig } from '../queue-attributes.js';

/** SetQueueAttributes: QueueUrl, Attributes → nothing. */
export const setQueueAttributes: SqsAction = async (ctx, input) => {
  const name = targetQueue(ctx, input);
  const attributes = optStringMap(input, 'Attributes');
  if (attributes === undefined) throw missingParameter('Attributes');
  authorize(ctx, 'manage', name);
  const existing = await loadQueue(ctx, name);
  const patch = await attributesToConfig(ctx.broker, ctx.naming, name, attributes, existing);
  if (Object.keys(patch).length > 0) await ctx.broker.updateQueue(name, patch);
  return {};
};
