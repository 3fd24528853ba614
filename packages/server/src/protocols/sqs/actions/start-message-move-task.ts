/** StartMessageMoveTask: moves a dead-letter queue's messages back, in the background. */
import { isChuteError } from '../../../core/errors.js';
import { authorize, type SqsAction, type SqsContext } from '../context.js';
import { SqsError } from '../errors.js';
import { SqsLimits } from '../limits.js';
import { optInt, optString, reqString } from '../params.js';
import { queueNameFromArn } from '../queue-url.js';

/**
 * StartMessageMoveTask: SourceArn (a dead-letter queue), optional DestinationArn (default: each
 * message's own source queue) and MaxNumberOfMessagesPerSecond → TaskHandle. One task per source.
 */
export const startMessageMoveTask: SqsAction = async (ctx, input) => {
  const sourceArn = reqString(input, 'SourceArn');
  const destinationArn = optString(input, 'DestinationArn') || undefined;
  const rate = optInt(input, 'MaxNumberOfMessagesPerSecond', 1, SqsLimits.moveRatePerSecondMax);
  const sourceQueue = queueNameFromArn(sourceArn, 'SourceArn');
  const destinationQueue = destinationArn === undefined ? undefined : queueNameFromArn(destinationArn, 'DestinationArn');
  authorize(ctx, 'manage', sourceQueue);
  if (destinationQueue !== undefined) authorize(ctx, 'send', destinationQueue);

  await mustExist(ctx, sourceQueue, 'SourceArn');
  if (destinationQueue !== undefined) await mustExist(ctx, destinationQueue, 'DestinationArn');
  if ((await ctx.broker.deadLetterSources(sourceQueue)).length === 0) {
    throw new SqsError('InvalidParameterValue', 'Source queue must be configured as a Dead Letter Queue.');
  }
  if (ctx.moveTasks.runningFor(sourceArn) !== undefined) {
    throw new SqsError(
      'UnsupportedOperation',
      'There is already a task running. Only one active task is allowed for each source queue arn at a given time.',
    );
  }
  const stats = await ctx.broker.queueStats(sourceQueue);
  const task = ctx.moveTasks.start({ sourceArn, sourceQueue, destinationArn, destinationQueue, ratePerSecond: rate, toMove: stats.total });
  return { TaskHandle: task.handle };
};

async function mustExist(ctx: SqsContext, queue: string, parameter: string): Promise<void> {
  try {
    await ctx.broker.getQueue(queue);
  } catch (e) {
    if (isChuteError(e, 'QueueNotFound')) {
      throw new SqsError('ResourceNotFoundException', `The resource that you specified for the ${parameter} parameter doesn't exist.`);
    }
    throw e;
  }
}
