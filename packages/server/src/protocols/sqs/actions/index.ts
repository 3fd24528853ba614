/** The table of SQS actions this front-end serves, by action name. */
import type { SqsAction } from '../context.js';
import { cancelMessageMoveTask } from './cancel-message-move-task.js';
import { changeMessageVisibility } from './change-message-visibility.js';
import { changeMessageVisibilityBatch } from './change-message-visibility-batch.js';
import { createQueue } from './create-queue.js';
import { deleteMessage } from './delete-message.js';
import { deleteMessageBatch } from './delete-message-batch.js';
import { deleteQueue } from './delete-queue.js';
import { getQueueAttributes } from './get-queue-attributes.js';
import { getQueueUrl } from './get-queue-url.js';
import { listDeadLetterSourceQueues } from './list-dead-letter-source-queues.js';
import { listMessageMoveTasks } from './list-message-move-tasks.js';
import { listQueueTags } from './list-queue-tags.js';
import { listQueues } from './list-queues.js';
import { purgeQueue } from './purge-queue.js';
import { receiveMessage } from './receive-message.js';
import { sendMessage } from './send-message.js';
import { sendMessageBatch } from './send-message-batch.js';
import { setQueueAttributes } from './set-queue-attributes.js';
import { startMessageMoveTask } from './start-message-move-task.js';
import { tagQueue } from './tag-queue.js';
import { untagQueue } from './untag-queue.js';

/** Every supported action. AddPermission / RemovePermission are not here: access is the server's config. */
export const sqsActions: Readonly<Record<string, SqsAction>> = {
  CancelMessageMoveTask: cancelMessageMoveTask,
  ChangeMessageVisibility: changeMessageVisibility,
  ChangeMessageVisibilityBatch: changeMessageVisibilityBatch,
  CreateQueue: createQueue,
  DeleteMessage: deleteMessage,
  DeleteMessageBatch: deleteMessageBatch,
  DeleteQueue: deleteQueue,
  GetQueueAttributes: getQueueAttributes,
  GetQueueUrl: getQueueUrl,
  ListDeadLetterSourceQueues: listDeadLetterSourceQueues,
  ListMessageMoveTasks: listMessageMoveTasks,
  ListQueueTags: listQueueTags,
  ListQueues: listQueues,
  PurgeQueue: purgeQueue,
  ReceiveMessage: receiveMessage,
  SendMessage: sendMessage,
  SendMessageBatch: sendMessageBatch,
  SetQueueAttributes: setQueueAttributes,
  StartMessageMoveTask: startMessageMoveTask,
  TagQueue: tagQueue,
  UntagQueue: untagQueue,
};
