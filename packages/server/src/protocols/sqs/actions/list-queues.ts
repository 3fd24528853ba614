/** ListQueues: queue URLs by name prefix, paged with MaxResults / NextToken. */
import { mayTouch, type SqsAction } from '../context.js';
import { SqsLimits } from '../limits.js';
import { decodeNextToken, pageOf } from '../paging.js';
import { optInt, optString } from '../params.js';
import { queueUrl } from '../queue-url.js';

const brokerPageSize = 1000;

/** ListQueues: lists only the queues the caller holds some permission on. */
export const listQueues: SqsAction = async (ctx, input) => {
  const prefix = optString(input, 'QueueNamePrefix');
  const max = optInt(input, 'MaxResults', 1, SqsLimits.listResultsMax);
  const token = optString(input, 'NextToken');
  let after = token === undefined || token === '' ? undefined : decodeNextToken(token);
  const wanted = (max ?? SqsLimits.listResultsMax) + 1;
  const names: string[] = [];
  for (;;) {
    const page = await ctx.broker.listQueues({ ...(prefix ? { prefix } : {}), ...(after ? { after } : {}), limit: brokerPageSize });
    for (const q of page) if (mayTouch(ctx, q.name)) names.push(q.name);
    if (page.length < brokerPageSize || names.length >= wanted) break;
    after = page[page.length - 1]!.name;
  }
  const result = pageOf(names, max, SqsLimits.listResultsMax);
  const out: Record<string, unknown> = { QueueUrls: result.names.map((n) => queueUrl(ctx.naming, n)) };
  if (result.nextToken !== undefined) out.NextToken = result.nextToken;
  return out;
};
