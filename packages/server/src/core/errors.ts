/**
 * The broker's typed errors. The core raises only these; each protocol front-end maps them to its
 * own wire form exactly once (HTTP status + JSON, SQS error codes, ...).
 */

/** Every machine-readable error code the core can raise. */
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
  | 'ShuttingDown';

/** Optional details carried by an error: the offending field and the limit it broke. */
export interface ErrorDetails {
  /** Dotted path of the input field at fault, e.g. `messages[3].body`. */
  field?: string;
  /** The limit that was broken, when there is one (a number of bytes, ms, entries ...). */
  limit?: number;
  /** A hint for clients: how long to wait before retrying, for retryable errors. */
  retryAfterMs?: number;
}

/** The base class of every error the broker raises on purpose. */
export class ChuteError extends Error {
  /** The machine-readable code, stable across releases. */
  readonly code: ErrorCode;
  /** The input field at fault, if any. */
  readonly field: string | undefined;
  /** The limit that was broken, if any. */
  readonly limit: number | undefined;
  /** Milliseconds a client should wait before retrying, for retryable errors. */
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = 'ChuteError';
    this.code = code;
    this.field = details.field;
    this.limit = details.limit;
    this.retryAfterMs = details.retryAfterMs;
  }

  /** True when the same request may succeed later without change (queue full, overload). */
  get retryable(): boolean {
    return this.code === 'QueueFull' || this.code === 'Overloaded' || this.code === 'ShuttingDown';
  }

  /** A plain object for logs and wire encoders. */
  toJSON(): { code: ErrorCode; message: string; field?: string; limit?: number } {
    const out: { code: ErrorCode; message: string; field?: string; limit?: number } = {
      code: this.code,
      message: this.message,
    };
    if (this.field !== undefined) out.field = this.field;
    if (this.limit !== undefined) out.limit = this.limit;
    return out;
  }
}

/** Shorthand for the most common error: bad input in one named field. */
export function invalidArgument(field: string, message: string, limit?: number): ChuteError {
  return new ChuteError('InvalidArgument', message, limit === undefined ? { field } : { field, limit });
}

/**
 * The error of entry 0 of a one-entry batch, named as the caller wrote its one message: the
 * broker names the fields of a batch's entries (`messages[0].body`), a single send or publish has
 * no `messages` (`body`).
 */
export function asSingleEntryError(e: ChuteError): ChuteError {
  const prefix = 'messages[0].';
  if (e.field === undefined || !e.field.startsWith(prefix)) return e;
  return new ChuteError(e.code, e.message.split(prefix).join(''), {
    field: e.field.slice(prefix.length),
    ...(e.limit !== undefined && { limit: e.limit }),
    ...(e.retryAfterMs !== undefined && { retryAfterMs: e.retryAfterMs }),
  });
}

/** Returns true when `e` is a ChuteError (optionally of the given code). */
export function isChuteError(e: unknown, code?: ErrorCode): e is ChuteError {
  return e instanceof ChuteError && (code === undefined || e.code === code);
}
