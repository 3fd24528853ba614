/** CancelMessageMoveTask: stops a running move task. */
import { authorize, type SqsAction } from '../context.js';
import { SqsError } from '../errors.js';
import { reqString } from '../params.js';
import { queueNameFromArn } from '../queue-url.js';

/** CancelMessageMoveTask: TaskHandle → ApproximateNumberOfMessagesMoved; messages already moved stay moved. */
export const cancelMessageMoveTask: SqsAction = async (ctx, input) => {
  const handle = reqString(input, 'TaskHandle');
  const task = ctx.moveTasks.find(handle);
  if (task === undefined) throw new SqsError('ResourceNotFoundException', 'The task handle does not name a message move task.');
  authorize(ctx, 'manage', queueNameFromArn(task.sourceArn, 'SourceArn'));
  if (task.status !== 'RUNNING') {
    throw new SqsError('UnsupportedOperation', `Only a task in RUNNING status can be cancelled; this one is ${task.status}.`);
  }
  ctx.moveTasks.cancel(task);
  return { ApproximateNumberOfMessagesMoved: task.moved };
};
