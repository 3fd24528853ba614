/**
 * Turns one SendMessage (or one SendMessageBatch entry) into a broker send: checks the body, the
 * attributes, the delay and the FIFO parameters as Amazon SQS does for the queue's type, and
 * computes the digests the response carries.
 */
import type { QueueInfo, SendInput } from '../../core/types.js';
import { SqsError, invalidParameter, missingParameter } from './errors.js';
import { SqsLimits } from './limits.js';
import { md5OfBody, md5OfMessageAttributes } from './md5.js';
import { attributesSize, attributesToHeaders, checkBodyCharacters, parseMessageAttributes } from './message-attributes.js';
import { notForQueueType, optInt, optRecord, optString, reqString, type SqsInput } from './params.js';
import { parseSystemAttributes, systemAttributesToHeaders } from './system-attributes.js';

/** A checked send, ready for the broker, with what the response reports about it. */
export interface PreparedSend {
  input: SendInput;
  md5OfBody: string;
  md5OfAttributes: string | undefined;
  md5OfSystemAttributes: string | undefined;
  /** Body plus attributes, as SQS counts a message's size. */
  sizeBytes: number;
}

/** Characters SQS allows in MessageGroupId and MessageDeduplicationId: alphanumerics and ASCII punctuation. */
const fifoIdPattern = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]+$/;

/** Checks one send against `queue` and builds the broker input. */
export function prepareSend(queue: QueueInfo, entry: SqsInput): PreparedSend {
  const body = reqString(entry, 'MessageBody');
  checkBodyCharacters(body);
  const attributes = parseMessageAttributes(optRecord(entry, 'MessageAttributes'));
  const systemAttributes = parseSystemAttributes(optRecord(entry, 'MessageSystemAttributes'));
  const delaySeconds = optInt(entry, 'DelaySeconds', 0, SqsLimits.delaySecondsMax);
  const groupId = optString(entry, 'MessageGroupId');
  const dedupId = optString(entry, 'MessageDeduplicationId');
  const fifo = queue.config.fifo;

  if (fifo) {
    if (delaySeconds !== undefined && delaySeconds > 0) throw notForQueueType('DelaySeconds', delaySeconds);
    if (groupId === undefined || groupId === '') throw missingParameter('MessageGroupId');
    if (dedupId === undefined && !queue.config.contentBasedDedup) {
      throw new SqsError(
        'InvalidParameterValue',
        'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
    }
  } else if (dedupId !== undefined) {
    throw notForQueueType('MessageDeduplicationId', dedupId);
  }
  if (groupId !== undefined) checkFifoId('MessageGroupId', groupId, SqsLimits.groupIdMaxChars);
  if (dedupId !== undefined) checkFifoId('MessageDeduplicationId', dedupId, SqsLimits.dedupIdMaxChars);

  const bodyBytes = Buffer.from(body, 'utf8');
  const sizeBytes = bodyBytes.length + attributesSize(attributes);
  if (sizeBytes > queue.config.maxMessageBytes) {
    throw new SqsError(
      'InvalidParameterValue',
      `One or more parameters are invalid. Reason: Message must be shorter than ${queue.config.maxMessageBytes} bytes.`,
    );
  }

  const input: SendInput = { body: bodyBytes, headers: { ...attributesToHeaders(attributes), ...systemAttributesToHeaders(systemAttributes) } };
  if (delaySeconds !== undefined) input.delayMs = delaySeconds * 1000;
  if (groupId !== undefined) input.groupId = groupId;
  if (dedupId !== undefined) input.dedupId = dedupId;
  return {
    input,
    md5OfBody: md5OfBody(body),
    md5OfAttributes: md5OfMessageAttributes(attributes),
    md5OfSystemAttributes: md5OfMessageAttributes(systemAttributes),
    sizeBytes,
  };
}

function checkFifoId(name: string, value: string, maxChars: number): void {
  if (value.length === 0 || value.length > maxChars || !fifoIdPattern.test(value)) {
    throw invalidParameter(name, value, `${name} can only include alphanumeric and punctuation characters. 1 to ${maxChars} in length.`);
  }
}

/** The attributes of a send result entry shared by SendMessage and SendMessageBatch. */
export function sendResultFields(prepared: PreparedSend, id: string, sequence: string | undefined): Record<string, string> {
  // The order of AWS's documented responses, which the XML form keeps.
  const out: Record<string, string> = { MD5OfMessageBody: prepared.md5OfBody };
  if (prepared.md5OfAttributes !== undefined) out.MD5OfMessageAttributes = prepared.md5OfAttributes;
  if (prepared.md5OfSystemAttributes !== undefined) out.MD5OfMessageSystemAttributes = prepared.md5OfSystemAttributes;
  out.MessageId = id;
  if (sequence !== undefined) out.SequenceNumber = sequence;
  return out;
}

