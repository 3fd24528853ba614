/**
 * `@chutemq/client`: the TypeScript client of the Chute message broker.
 */
export { Chute, checkBrokerUrl, defaultUrl, type ChuteOptions } from './chute.js';
export { Queue, type BatchingOptions, type BatchMessage } from './queue.js';
export { Topic } from './topic.js';
export { Consumer, type ConsumeOptions, type ConsumerErrorContext, type ConsumerErrorPhase, type ConsumerStats, type MessageHandler } from './consumer.js';
export { Message, ReceivedMessage } from './message.js';
export { ChuteError, ConnectionError, TimeoutError, isChuteError, type ChuteErrorDetails, type ErrorCode } from './errors.js';
export { backoffDelayMs, type BackoffOptions } from './backoff.js';
export { parseDuration, formatDuration } from './duration.js';
export { encodeBody, bytesContentType, jsonContentType, textContentType, type EncodedBody, type MessageBody } from './codec.js';
export type { ReceiptLike } from './receipts.js';
export type * from './types.js';
