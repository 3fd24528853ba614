/**
 * NextToken paging of ListQueues and ListDeadLetterSourceQueues: the token names the last queue
 * returned, so a page continues after it even when queues were created or deleted in between.
 */
import { SqsError } from './errors.js';

/** Encodes the name of the last queue of a page as an opaque token. */
export function encodeNextToken(lastName: string): string {
  return Buffer.from(JSON.stringify({ after: lastName }), 'utf8').toString('base64url');
}

/** Decodes a NextToken; a token this server did not issue is InvalidParameterValue. */
export function decodeNextToken(token: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'after' in parsed && typeof parsed.after === 'string') return parsed.after;
  } catch {
    // Falls through to the error below.
  }
  throw new SqsError('InvalidParameterValue', 'Invalid NextToken value.');
}

/** Cuts a sorted list of names into one page: the first `max` names and a token when more follow. */
export function pageOf(names: string[], max: number | undefined, hardMax: number): { names: string[]; nextToken?: string } {
  const limit = max ?? hardMax;
  if (names.length <= limit) return { names };
  const page = names.slice(0, limit);
  // Without MaxResults SQS returns no token, only the first 1000.
  return max === undefined ? { names: page } : { names: page, nextToken: encodeNextToken(page[page.length - 1]!) };
}
