/**
 * Typed errors of the SDK. Every failure a caller can see is a {@link ChuteError}: either the
 * broker's own error (its `code`, `field` and `limit` copied from the wire) or one raised here
 * when the broker could not be reached or answered something unreadable.
 */

/** Error codes the broker sends, plus the ones the SDK raises itself. */
export type ErrorCode =
  | 'InvalidArgument'
  | 'InvalidQueueName'
  | 'QueueNotFound'
  | 'QueueAlreadyExists'
  | 'QueueInUse'
  | 'TopicNotFound'
  | 'TopicAlreadyExists'
  | 'SubscriptionNotFound'
  | 'MessageTooLarge'
  | 'QueueFull'
  | 'BatchTooLarge'
  | 'EmptyBatch'
  | 'BatchEntryIdsNotDistinct'
  | 'InvalidBatchEntryId'
  | 'ReceiptInvalid'
  | 'LeaseExpired'
  | 'DeadLetterCycle'
  | 'Overloaded'
  | 'StorageError'
  | 'ShuttingDown'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'RouteNotFound'
  | 'RequestTooLarge'
  | 'UnsupportedMediaType'
  | 'BadRequest'
  | 'InternalError'
  | 'ConnectionError'
  | 'Timeout'
  | 'BadResponse';

/** Codes for which the same request may succeed later without change. */
const retryableCodes: ReadonlySet<string> = new Set(['QueueFull', 'Overloaded', 'ShuttingDown', 'StorageError', 'ConnectionError', 'Timeout']);

/** Details of an error beyond its code and message. */
export interface ChuteErrorDetails {
  /** HTTP status of the response that carried the error; undefined when there was no response. */
  status?: number;
  /** Dotted path of the input field at fault, e.g. `messages[3].body`. */
  field?: string;
  /** The limit that was broken (bytes, ms, entries ...), when there is one. */
  limit?: number;
  /** How long the broker asked the client to wait before retrying (from `Retry-After`). */
  retryAfterMs?: number;
  /** The underlying error (a socket error, a JSON parse error ...). */
  cause?: unknown;
}

/**
 * An error reported by the broker or raised by the SDK. `code` is machine-readable and stable;
 * unknown codes from a newer broker are kept as they came.
 */
export class ChuteError extends Error {
  /** The machine-readable code, e.g. `QueueNotFound`. */
  readonly code: ErrorCode | (string & {});
  /** HTTP status of the response, or undefined when no response arrived. */
  readonly status: number | undefined;
  /** The input field at fault, if the broker named one. */
  readonly field: string | undefined;
  /** The limit that was broken, if the broker named one. */
  readonly limit: number | undefined;
  /** Milliseconds to wait before retrying, when the broker said so. */
  readonly retryAfterMs: number | undefined;

  /** Creates an error; `details.cause` is kept as the standard `cause` property. */
  constructor(code: ErrorCode | (string & {}), message: string, details: ChuteErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ChuteError';
    this.code = code;
    this.status = details.status;
    this.field = details.field;
    this.limit = details.limit;
    this.retryAfterMs = details.retryAfterMs;
  }

  /** True when the same request may succeed later without change (queue full, overload, network). */
  get retryable(): boolean {
    return retryableCodes.has(this.code);
  }

  /** A plain object for logs and JSON output. */
  toJSON(): { code: string; message: string; status?: number; field?: string; limit?: number } {
    const out: { code: string; message: string; status?: number; field?: string; limit?: number } = {
      code: this.code,
      message: this.message,
    };
    if (this.status !== undefined) out.status = this.status;
    if (this.field !== undefined) out.field = this.field;
    if (this.limit !== undefined) out.limit = this.limit;
    return out;
  }
}

/**
 * The broker could not be reached (connection refused, reset, DNS failure) even after the
 * retries the call allowed. `attempts` says how many times the request was tried.
 */
export class ConnectionError extends ChuteError {
  /** How many times the request was tried before giving up. */
  readonly attempts: number;

  /** Creates a connection error wrapping the socket-level `cause`. */
  constructor(message: string, attempts: number, cause?: unknown) {
    super('ConnectionError', message, { cause });
    this.name = 'ConnectionError';
    this.attempts = attempts;
  }
}

/** A request did not complete within its time limit. */
export class TimeoutError extends ChuteError {
  /** Creates a timeout error naming the limit in milliseconds. */
  constructor(message: string, timeoutMs: number) {
    super('Timeout', message, { limit: timeoutMs });
    this.name = 'TimeoutError';
  }
}

/** Returns true when `e` is a {@link ChuteError}, optionally of the given code. */
export function isChuteError(e: unknown, code?: ErrorCode): e is ChuteError {
  return e instanceof ChuteError && (code === undefined || e.code === code);
}

/** The error object as the broker puts it on the wire. */
export interface WireError {
  code: string;
  message: string;
  field?: string;
  limit?: number;
}

/** Turns a wire error (a whole response's or one batch entry's) into a {@link ChuteError}. */
export function errorFromWire(wire: WireError, status?: number, retryAfterMs?: number): ChuteError {
  const details: ChuteErrorDetails = {};
  if (status !== undefined) details.status = status;
  if (typeof wire.field === 'string') details.field = wire.field;
  if (typeof wire.limit === 'number') details.limit = wire.limit;
  if (retryAfterMs !== undefined) details.retryAfterMs = retryAfterMs;
  return new ChuteError(String(wire.code), String(wire.message), details);
}
