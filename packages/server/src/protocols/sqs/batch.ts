/**
 * The checks every SQS batch action makes before it touches a queue (entry count, entry ids), and
 * the shape of a failed entry in a batch result.
 */
import { SqsError } from './errors.js';
import { SqsLimits } from './limits.js';
import type { SqsInput } from './params.js';

const entryIdPattern = /^[A-Za-z0-9_-]+$/;

/** One failed entry of a batch result, as SQS reports it. */
export interface BatchFailure {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

/**
 * Checks a batch: at least one and at most 10 entries, each id valid and distinct. `entryName`
 * is the Query name of an entry (e.g. `SendMessageBatchRequestEntry`), used in the messages.
 * Returns the entries with their ids.
 */
export function checkBatch(entries: SqsInput[] | undefined, entryName: string): Array<SqsInput & { Id: string }> {
  if (entries === undefined || entries.length === 0) {
    throw new SqsError('EmptyBatchRequest', `There should be at least one ${entryName} in the request.`);
  }
  if (entries.length > SqsLimits.batchEntriesMax) {
    throw new SqsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${SqsLimits.batchEntriesMax}. You have sent ${entries.length}.`,
    );
  }
  const seen = new Set<string>();
  for (const entry of entries) {
    const id = entry.Id;
    if (typeof id !== 'string' || id.length === 0 || id.length > SqsLimits.batchEntryIdMaxChars || !entryIdPattern.test(id)) {
      throw new SqsError(
        'InvalidBatchEntryId',
        `A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most ${SqsLimits.batchEntryIdMaxChars} letters long.`,
      );
    }
    if (seen.has(id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    seen.add(id);
  }
  return entries as Array<SqsInput & { Id: string }>;
}

/** A failed entry from an SqsError; the code is the Query protocol code, as SQS reports it in both protocols. */
export function batchFailure(id: string, error: SqsError): BatchFailure {
  return { Id: id, SenderFault: error.senderFault, Code: error.queryCode, Message: error.message };
}
