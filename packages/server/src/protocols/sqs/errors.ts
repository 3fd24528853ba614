/**
 * SQS errors: every error an SQS client can see, with the three names it goes by on the wire (the
 * AWS JSON shape name, the Query protocol code and the HTTP status), and the one place where the
 * broker's typed errors and the access policy's errors become SQS errors.
 */
import { isChuteError, type ErrorCode } from '../../core/errors.js';
import { isAccessError } from '../auth-types.js';

/** How one SQS error appears on the wire. */
interface SqsErrorSpec {
  /** Error code of the Query protocol (`<Code>`) and of the `x-amzn-query-error` header. */
  queryCode: string;
  status: number;
}

/** Every SQS error this front-end returns, keyed by its AWS JSON shape name. */
const errorSpecs = {
  AccessDenied: { queryCode: 'AccessDenied', status: 403 },
  BatchEntryIdsNotDistinct: { queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', status: 400 },
  BatchRequestTooLong: { queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong', status: 400 },
  EmptyBatchRequest: { queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest', status: 400 },
  IncompleteSignature: { queryCode: 'IncompleteSignature', status: 400 },
  InternalFailure: { queryCode: 'InternalFailure', status: 500 },
  InvalidAction: { queryCode: 'InvalidAction', status: 400 },
  InvalidAddress: { queryCode: 'InvalidAddress', status: 404 },
  InvalidAttributeName: { queryCode: 'InvalidAttributeName', status: 400 },
  InvalidAttributeValue: { queryCode: 'InvalidAttributeValue', status: 400 },
  InvalidBatchEntryId: { queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId', status: 400 },
  InvalidClientTokenId: { queryCode: 'InvalidClientTokenId', status: 403 },
  InvalidMessageContents: { queryCode: 'InvalidMessageContents', status: 400 },
  InvalidParameterValue: { queryCode: 'InvalidParameterValue', status: 400 },
  MalformedQueryString: { queryCode: 'MalformedQueryString', status: 400 },
  MessageNotInflight: { queryCode: 'AWS.SimpleQueueService.MessageNotInflight', status: 400 },
  MissingAuthenticationToken: { queryCode: 'MissingAuthenticationToken', status: 403 },
  MissingParameter: { queryCode: 'MissingParameter', status: 400 },
  OverLimit: { queryCode: 'OverLimit', status: 403 },
  QueueDoesNotExist: { queryCode: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 },
  QueueNameExists: { queryCode: 'QueueAlreadyExists', status: 400 },
  ReceiptHandleIsInvalid: { queryCode: 'ReceiptHandleIsInvalid', status: 404 },
  RequestExpired: { queryCode: 'RequestExpired', status: 400 },
  RequestThrottled: { queryCode: 'RequestThrottled', status: 403 },
  ResourceNotFoundException: { queryCode: 'ResourceNotFoundException', status: 404 },
  SerializationException: { queryCode: 'SerializationException', status: 400 },
  ServiceUnavailable: { queryCode: 'ServiceUnavailable', status: 503 },
  SignatureDoesNotMatch: { queryCode: 'SignatureDoesNotMatch', status: 403 },
  TooManyEntriesInBatchRequest: { queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', status: 400 },
  UnsupportedOperation: { queryCode: 'AWS.SimpleQueueService.UnsupportedOperation', status: 400 },
} satisfies Record<string, SqsErrorSpec>;

/** The AWS JSON shape name of an SQS error, e.g. `QueueDoesNotExist`. */
export type SqsErrorName = keyof typeof errorSpecs;

/** An error in SQS terms, ready for either wire protocol. */
export class SqsError extends Error {
  /** AWS JSON shape name (`__type` of JSON 1.0 errors). */
  readonly errorName: SqsErrorName;

  constructor(errorName: SqsErrorName, message: string) {
    super(message);
    this.name = 'SqsError';
    this.errorName = errorName;
  }

  /** Query protocol code, also sent to JSON clients in `x-amzn-query-error`. */
  get queryCode(): string {
    return errorSpecs[this.errorName].queryCode;
  }

  get status(): number {
    return errorSpecs[this.errorName].status;
  }

  /** `Sender` for the client's mistakes, `Receiver` for the server's. */
  get faultType(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }

  /** True when the request itself was at fault (batch result entries report this). */
  get senderFault(): boolean {
    return this.faultType === 'Sender';
  }
}

/** Shorthand: a missing required parameter, worded as SQS words it. */
export function missingParameter(name: string): SqsError {
  return new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);
}

/** Shorthand: a parameter with a value out of range or of the wrong form, worded as SQS words it. */
/**
 * A "__proto__" key or map entry name: valid by SQS's patterns, but where the actions copy maps
 * into plain objects it would set a prototype and the attribute or tag would vanish without a word.
 */
export function protoKeyNotAllowed(): SqsError {
  return new SqsError('InvalidParameterValue', 'A key "__proto__" is not allowed anywhere in a request.');
}

export function invalidParameter(name: string, value: unknown, reason: string): SqsError {
  return new SqsError('InvalidParameterValue', `Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`);
}

const chuteToSqs: Record<ErrorCode, SqsErrorName> = {
  InvalidArgument: 'InvalidParameterValue',
  InvalidQueueName: 'InvalidParameterValue',
  QueueNotFound: 'QueueDoesNotExist',
  QueueAlreadyExists: 'QueueNameExists',
  QueueInUse: 'InvalidParameterValue',
  TopicNotFound: 'InvalidParameterValue',
  TopicAlreadyExists: 'InvalidParameterValue',
  SubscriptionNotFound: 'InvalidParameterValue',
  MessageTooLarge: 'InvalidParameterValue',
  QueueFull: 'OverLimit',
  BatchTooLarge: 'BatchRequestTooLong',
  EmptyBatch: 'EmptyBatchRequest',
  BatchEntryIdsNotDistinct: 'BatchEntryIdsNotDistinct',
  InvalidBatchEntryId: 'InvalidBatchEntryId',
  ReceiptInvalid: 'ReceiptHandleIsInvalid',
  LeaseExpired: 'MessageNotInflight',
  DeadLetterCycle: 'InvalidParameterValue',
  Overloaded: 'RequestThrottled',
  StorageError: 'InternalFailure',
  ShuttingDown: 'ServiceUnavailable',
};

/**
 * Turns anything thrown while serving an SQS request into an SqsError: the one mapping of broker
 * and access errors to SQS codes. Returns null for unexpected errors (bugs), which the caller logs
 * and answers with InternalFailure without exposing their message.
 */
export function toSqsError(e: unknown): SqsError | null {
  if (e instanceof SqsError) return e;
  if (isChuteError(e)) {
    const name = chuteToSqs[e.code];
    const detail = e.field === undefined ? '' : ` (${e.field}${e.limit === undefined ? '' : `, limit ${e.limit}`})`;
    return new SqsError(name, `${e.message}${detail}`);
  }
  if (isAccessError(e)) {
    return new SqsError(e.code === 'Unauthorized' ? 'MissingAuthenticationToken' : 'AccessDenied', e.message);
  }
  return null;
}
