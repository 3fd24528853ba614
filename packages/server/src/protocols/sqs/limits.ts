/**
 * The limits Amazon SQS documents, enforced at the SQS edge before the broker sees a request, each
 * with its unit in the name. The broker has its own (often wider) limits; these keep SQS clients
 * seeing the answers they would get from Amazon SQS.
 */

const KIB = 1024;

/** SQS limits on requests, batches, messages and queues. */
export const SqsLimits = {
  /** Entries in one SendMessageBatch / DeleteMessageBatch / ChangeMessageVisibilityBatch. */
  batchEntriesMax: 10,
  /** Characters of a batch entry id (alphanumeric, hyphen, underscore). */
  batchEntryIdMaxChars: 80,
  /** Sum of the message sizes (body plus attributes) of one SendMessageBatch. */
  batchTotalBytesMax: 256 * KIB,
  /** MaxNumberOfMessages of a ReceiveMessage. */
  receiveMessagesMax: 10,
  /** WaitTimeSeconds of a ReceiveMessage and the queue's ReceiveMessageWaitTimeSeconds. */
  waitTimeSecondsMax: 20,
  /** VisibilityTimeout of a queue, a receive or a change, and the total lease from a receive. */
  visibilityTimeoutSecondsMax: 43_200,
  /** DelaySeconds of a queue or a message. */
  delaySecondsMax: 900,
  /** MaximumMessageSize range of a queue. */
  maximumMessageSizeMin: 1024,
  maximumMessageSizeMax: 1024 * KIB,
  /** MessageRetentionPeriod range of a queue. */
  retentionSecondsMin: 60,
  retentionSecondsMax: 1_209_600,
  /** maxReceiveCount of a RedrivePolicy. */
  maxReceiveCountMax: 1000,
  /** Message attributes on one message. */
  messageAttributesMax: 10,
  /** Characters of a message attribute name and of a data type. */
  attributeNameMaxChars: 256,
  dataTypeMaxChars: 256,
  /** Characters of a queue name (including a `.fifo` suffix). */
  queueNameMaxChars: 80,
  /** MaxResults of ListQueues and ListDeadLetterSourceQueues. */
  listResultsMax: 1000,
  /** Tags on one queue, and the length of a tag key and value. */
  tagsMax: 50,
  tagKeyMaxChars: 128,
  tagValueMaxChars: 256,
  /** Characters of a MessageGroupId / MessageDeduplicationId. */
  groupIdMaxChars: 128,
  dedupIdMaxChars: 128,
  /** MaxResults of ListMessageMoveTasks. */
  moveTasksListMax: 10,
  /** MaxNumberOfMessagesPerSecond of StartMessageMoveTask. */
  moveRatePerSecondMax: 500,
  /** Largest request body the SQS routes buffer: a 1 MiB message fully percent-encoded, plus structure. */
  requestBodyBytesMax: 4 * 1024 * KIB,
  /** How far a SigV4 request time may be from the server's clock. */
  signatureClockSkewMs: 15 * 60 * 1000,
} as const;
