/**
 * Checks of names SQS restricts more than the broker does: queue names (with the `.fifo` rule)
 * and tags.
 */
import { SqsError } from './errors.js';
import { SqsLimits } from './limits.js';

const queueNamePattern = /^[A-Za-z0-9_-]+$/;
const fifoSuffix = '.fifo';

/** Checks a CreateQueue name: 1-80 of `[A-Za-z0-9_-]`, with a `.fifo` suffix exactly when the queue is FIFO. */
export function checkQueueName(name: string, fifo: boolean): void {
  const base = name.endsWith(fifoSuffix) ? name.slice(0, -fifoSuffix.length) : name;
  const validChars = base.length > 0 && queueNamePattern.test(base) && name.length <= SqsLimits.queueNameMaxChars;
  if (fifo && (!name.endsWith(fifoSuffix) || !validChars)) {
    throw new SqsError(
      'InvalidParameterValue',
      `The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to ${SqsLimits.queueNameMaxChars} in length.`,
    );
  }
  if (!fifo && (name.endsWith(fifoSuffix) || !validChars)) {
    throw new SqsError(
      'InvalidParameterValue',
      `Can only include alphanumeric characters, hyphens, or underscores. 1 to ${SqsLimits.queueNameMaxChars} in length.` +
        (name.endsWith(fifoSuffix) ? ' A name ending in .fifo needs the attribute FifoQueue=true.' : ''),
    );
  }
}

/** Checks a queue's complete tag set: count, key and value lengths. */
export function checkTags(tags: Record<string, string>): void {
  const keys = Object.keys(tags);
  if (keys.length > SqsLimits.tagsMax) {
    throw new SqsError('InvalidParameterValue', `Too many tags: a queue can have at most ${SqsLimits.tagsMax} tags, this request would give it ${keys.length}.`);
  }
  for (const key of keys) {
    if (key.length === 0 || key.length > SqsLimits.tagKeyMaxChars) {
      throw new SqsError('InvalidParameterValue', `Tag key ${JSON.stringify(key)} must be 1 to ${SqsLimits.tagKeyMaxChars} characters.`);
    }
    if (tags[key]!.length > SqsLimits.tagValueMaxChars) {
      throw new SqsError('InvalidParameterValue', `Tag value of ${JSON.stringify(key)} must be at most ${SqsLimits.tagValueMaxChars} characters.`);
    }
  }
}
