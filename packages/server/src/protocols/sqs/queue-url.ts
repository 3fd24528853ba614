/**
 * Queue URLs and ARNs: how SQS names a queue on the wire, and how a request's URL or ARN leads back
 * to a broker queue name.
 */
import { SqsError, invalidParameter } from './errors.js';

/** What is needed to build queue URLs and ARNs for one request. */
export interface QueueNaming {
  accountId: string;
  region: string;
  /** `http://host:port` the client reached (or the configured external URL), without a trailing slash. */
  baseUrl: string;
}

/** The queue URL of `queue`: `{baseUrl}/{accountId}/{queue}`. */
export function queueUrl(naming: QueueNaming, queue: string): string {
  return `${naming.baseUrl}/${naming.accountId}/${encodeURIComponent(queue)}`;
}

/** The ARN of `queue`: `arn:aws:sqs:{region}:{accountId}:{queue}`. */
export function queueArn(naming: Pick<QueueNaming, 'accountId' | 'region'>, queue: string): string {
  return `arn:aws:sqs:${naming.region}:${naming.accountId}:${queue}`;
}

/**
 * The queue name in a QueueUrl: its last path segment. Any host is accepted, so URLs built by a
 * client against another name of this server (a proxy, a container alias) keep working.
 */
export function queueNameFromUrl(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    // A bare path or queue name is accepted as well, as Amazon SQS's older endpoints did.
    path = url;
  }
  const segments = path.split('/').filter((s) => s !== '');
  const last = segments[segments.length - 1];
  if (last === undefined) throw new SqsError('InvalidAddress', `The address ${url} is not valid for this endpoint.`);
  try {
    return decodeURIComponent(last);
  } catch {
    throw new SqsError('InvalidAddress', `The address ${url} is not valid for this endpoint.`);
  }
}

/** The queue name in an SQS queue ARN; `parameter` names the input for the error message. */
export function queueNameFromArn(arn: string, parameter: string): string {
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'sqs' || parts[5] === '') {
    throw invalidParameter(parameter, arn, 'Invalid ARN format.');
  }
  return parts[5]!;
}
