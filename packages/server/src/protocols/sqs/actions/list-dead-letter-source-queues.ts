/** ListDeadLetterSourceQueues: the queues whose RedrivePolicy names this dead-letter queue. */
import { authorizeAny, loadQueue, targetQueue, type SqsAction } from '../context.js';
import { SqsLimits } from '../limits.js';
import { decodeNextToken, pageOf } from '../paging.js';
import { optInt, optString } from '../params.js';
import { queueUrl } from '../queue-url.js';

/** ListDeadLetterSourceQueues: QueueUrl, MaxResults, NextToken → queueUrls, NextToken. */
export const listDeadLetterSourceQueues: SqsAction = async (ctx, input) => {
  const name = targetQueue(ctx, input);
  const max = optInt(input, 'MaxResults', 1, SqsLimits.listResultsMax);
  const token = optString(input, 'NextToken');
  const after = token === undefined || token === '' ? undefined : decodeNextToken(token);
  authorizeAny(ctx, name);
  await loadQueue(ctx, name);
  const sources = (await ctx.broker.deadLetterSources(name)).sort().filter((n) => after === undefined || n > after);
  const page = pageOf(sources, max, SqsLimits.listResultsMax);
  const out: Record<string, unknown> = { queueUrls: page.names.map((n) => queueUrl(ctx.naming, n)) };
  if (page.nextToken !== undefined) out.NextToken = page.nextToken;
  return out;
};
