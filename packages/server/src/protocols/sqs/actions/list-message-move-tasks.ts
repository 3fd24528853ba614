/** ListMessageMoveTasks: the most recent move tasks of a dead-letter queue. */
import { authorizeAny, type SqsAction } from '../context.js';
import { SqsLimits } from '../limits.js';
import { optInt, reqString } from '../params.js';
import { queueNameFromArn } from '../queue-url.js';

/** ListMessageMoveTasks: SourceArn, MaxResults (default 1, at most 10) → Results, newest first. */
export const listMessageMoveTasks: SqsAction = async (ctx, input) => {
  const sourceArn = reqString(input, 'SourceArn');
  const max = optInt(input, 'MaxResults', 1, SqsLimits.moveTasksListMax) ?? 1;
  authorizeAny(ctx, queueNameFromArn(sourceArn, 'SourceArn'));
  const results = ctx.moveTasks.list(sourceArn).slice(0, max).map((t) => {
    const entry: Record<string, unknown> = {
      Status: t.status,
      SourceArn: t.sourceArn,
      ApproximateNumberOfMessagesMoved: t.moved,
      ApproximateNumberOfMessagesToMove: t.toMove,
      StartedTimestamp: t.startedAt,
    };
    // Like Amazon SQS, the handle is shown only while the task can still be cancelled.
    if (t.status === 'RUNNING') entry.TaskHandle = t.handle;
    if (t.destinationArn !== undefined) entry.DestinationArn = t.destinationArn;
    if (t.ratePerSecond !== undefined) entry.MaxNumberOfMessagesPerSecond = t.ratePerSecond;
    if (t.failureReason !== undefined) entry.FailureReason = t.failureReason;
    return entry;
  });
  return { Results: results };
};
