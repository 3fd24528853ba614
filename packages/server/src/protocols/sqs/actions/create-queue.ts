/** CreateQueue: creates a queue (or returns the URL of an identical existing one). */
import { authorize, type SqsAction } from '../context.js';
import { optStringMap, reqString } from '../params.js';
import { attributesToConfig } from '../queue-attributes.js';
import { queueUrl } from '../queue-url.js';
import { checkQueueName, checkTags } from '../validate.js';

/** CreateQueue: QueueName, Attributes, tags → QueueUrl. */
export const createQueue: SqsAction = async (ctx, input) => {
  const name = reqString(input, 'QueueName');
  const attributes = optStringMap(input, 'Attributes') ?? {};
  // The JSON protocol names the member `tags`; the Query protocol sends `Tag.N.*`, decoded as `Tags`.
  const tags = optStringMap(input, 'tags') ?? optStringMap(input, 'Tags') ?? {};
  checkQueueName(name, attributes.FifoQueue === 'true');
  authorize(ctx, 'manage', name);
  checkTags(tags);
  const config = await attributesToConfig(ctx.broker, ctx.naming, name, attributes, null);
  if (Object.keys(tags).length > 0) config.tags = tags;
  await ctx.broker.createQueue(name, config);
  return { QueueUrl: queueUrl(ctx.naming, name) };
};
