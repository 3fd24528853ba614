/** GetQueueUrl: the URL of a queue by name. */
import { authorizeAny, loadQueue, type SqsAction } from '../context.js';
import { reqString } from '../params.js';
import { queueUrl } from '../queue-url.js';

/** GetQueueUrl: QueueName → QueueUrl (QueueOwnerAWSAccountId is accepted and ignored: one account). */
export const getQueueUrl: SqsAction = async (ctx, input) => {
  const name = reqString(input, 'QueueName');
  authorizeAny(ctx, name);
  await loadQueue(ctx, name);
  return { QueueUrl: queueUrl(ctx.naming, name) };
};
