/**
 * The one place where errors become HTTP responses: broker errors (ChuteError), access errors,
 * fastify's own errors (schema validation, malformed JSON, body too large, unknown route) and
 * anything unexpected all leave as `{ "error": { code, message, field?, limit? } }` with the status
 * docs/http-api.md lists.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ChuteError, type ErrorCode } from '../../core/errors.js';
import { AccessError } from '../auth-types.js';

/** The error object inside every error response. */
export interface WireError {
  code: string;
  message: string;
  field?: string;
  limit?: number;
}

/** A response ready to send: status, body and, for retryable errors, a Retry-After in seconds. */
export interface HttpErrorResponse {
  status: number;
  body: { error: WireError };
  retryAfterSeconds?: number;
  /** True for errors the server did not expect (logged at error level). */
  internal: boolean;
}

/** The status of each broker error code. A `Record` so that a new code cannot be forgotten. */
const statusOfCode: Record<ErrorCode, number> = {
  InvalidArgument: 400,
  InvalidQueueName: 400,
  BatchTooLarge: 400,
  EmptyBatch: 400,
  BatchEntryIdsNotDistinct: 400,
  InvalidBatchEntryId: 400,
  DeadLetterCycle: 400,
  QueueNotFound: 404,
  TopicNotFound: 404,
  SubscriptionNotFound: 404,
  QueueAlreadyExists: 409,
  TopicAlreadyExists: 409,
  QueueInUse: 409,
  ReceiptInvalid: 409,
  LeaseExpired: 409,
  MessageTooLarge: 413,
  QueueFull: 429,
  Overloaded: 429,
  ShuttingDown: 503,
  StorageError: 503,
};

/** Retry-After used when a retryable error carries no hint of its own. */
const defaultRetryAfterSeconds = 1;

/** The HTTP status of a broker error code. */
export function statusOf(code: ErrorCode): number {
  return statusOfCode[code];
}

/** Maps any thrown value to the response the client gets. */
export function toHttpError(e: unknown): HttpErrorResponse {
  if (e instanceof ChuteError) return fromChuteError(e);
  if (e instanceof AccessError) {
    return { status: e.code === 'Unauthorized' ? 401 : 403, body: { error: { code: e.code, message: e.message } }, internal: false };
  }
  if (isFastifyError(e)) return fromFastifyError(e);
  return { status: 500, body: { error: { code: 'InternalError', message: 'internal server error' } }, internal: true };
}

/**
 * A broker error in the wire shape. The broker names a batch entry's id `entryId`; on the wire it
 * is `id`, so errors name it as the client wrote it.
 */
export function wireErrorOf(e: ChuteError): WireError {
  const out: WireError = e.toJSON();
  if (out.field !== undefined && out.field.endsWith('.entryId')) {
    out.field = `${out.field.slice(0, -'entryId'.length)}id`;
    out.message = out.message.replace(/\.entryId\b/g, '.id');
  }
  return out;
}

function fromChuteError(e: ChuteError): HttpErrorResponse {
  const status = statusOfCode[e.code];
  const out: HttpErrorResponse = { status, body: { error: wireErrorOf(e) }, internal: e.code === 'StorageError' };
  if (status === 429 || status === 503) {
    out.retryAfterSeconds = e.retryAfterMs !== undefined ? Math.max(1, Math.ceil(e.retryAfterMs / 1000)) : defaultRetryAfterSeconds;
  }
  return out;
}

function isFastifyError(e: unknown): e is FastifyError {
  return e instanceof Error && (typeof (e as FastifyError).code === 'string' || typeof (e as FastifyError).statusCode === 'number');
}

/** An ajv error as fastify attaches it to validation failures. */
interface SchemaIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

function fromFastifyError(e: FastifyError): HttpErrorResponse {
  if (Array.isArray(e.validation) && e.validation.length > 0) {
    return fromValidation(e.validation[0] as SchemaIssue, e.validationContext);
  }
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, body: { error: { code: 'RequestTooLarge', message: 'request body is larger than this route accepts' } }, internal: false };
  }
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return {
      status: 415,
      body: { error: { code: 'UnsupportedMediaType', message: 'send application/json (or, to the send route, application/octet-stream for one raw message or application/vnd.chute.batch for a framed batch)', field: 'content-type' } },
      internal: false,
    };
  }
  const status = e.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Malformed JSON, a bad Content-Length and the like: the client's fault, said plainly.
    const field = e instanceof SyntaxError || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'body' : undefined;
    const error: WireError = { code: status === 400 ? 'InvalidArgument' : 'BadRequest', message: e.message };
    if (field !== undefined) error.field = field;
    return { status, body: { error }, internal: false };
  }
  return { status: 500, body: { error: { code: 'InternalError', message: 'internal server error' } }, internal: true };
}

/** Turns the first schema violation into InvalidArgument naming the field as a dotted path. */
function fromValidation(issue: SchemaIssue, context: string | undefined): HttpErrorResponse {
  let field = pointerToPath(issue.instancePath);
  let message = issue.message ?? 'is invalid';
  if (issue.keyword === 'required' && typeof issue.params.missingProperty === 'string') {
    field = joinPath(field, issue.params.missingProperty);
    message = 'is required';
  } else if (issue.keyword === 'additionalProperties' && typeof issue.params.additionalProperty === 'string') {
    field = joinPath(field, issue.params.additionalProperty);
    message = 'is not a known field';
  } else if (issue.keyword === 'enum' && Array.isArray(issue.params.allowedValues)) {
    message = `must be one of ${issue.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  } else if (issue.keyword === 'type' && (typeof issue.params.type === 'string' || Array.isArray(issue.params.type))) {
    message = `must be ${typeNames(String(issue.params.type).split(','))}`;
  }
  // The request body as a whole is named apart from a message's `body` field.
  const whole = field === '' && (context === 'body' || context === undefined);
  if (field === '') field = whole ? 'body' : (context as string);
  const error: WireError = { code: 'InvalidArgument', message: `${whole ? 'request body' : field} ${message}`, field };
  const limit = issue.params.limit;
  if (typeof limit === 'number') error.limit = limit;
  return { status: 400, body: { error }, internal: false };
}

/** ajv's `["integer", "null"]` -> `an integer or null`. */
function typeNames(types: string[]): string {
  const names = types.map((t) => (t === 'null' ? 'null' : `${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}`));
  return names.length === 1 ? (names[0] as string) : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1] as string}`;
}

/** `/messages/3/body` -> `messages[3].body`. */
function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => joinPath(acc, part), '');
}

function joinPath(base: string, part: string): string {
  if (/^\d+$/.test(part)) return `${base}[${part}]`;
  return base === '' ? part : `${base}.${part}`;
}

/** Sends the mapped error, with Retry-After and WWW-Authenticate where they apply. */
export function sendError(request: FastifyRequest, reply: FastifyReply, e: unknown): FastifyReply {
  const mapped = toHttpError(e);
  if (mapped.body.error.code === 'RequestTooLarge') mapped.body.error.limit = request.routeOptions.bodyLimit;
  if (mapped.internal) request.log.error({ err: e }, 'request failed');
  if (mapped.retryAfterSeconds !== undefined) void reply.header('retry-after', String(mapped.retryAfterSeconds));
  if (mapped.status === 401) void reply.header('www-authenticate', 'Bearer');
  return reply.code(mapped.status).send(mapped.body);
}

/**
 * Installs the error handler on a fastify context, so every failure inside it (hooks, parsers,
 * schemas, handlers) leaves in the one error shape.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error));
}

/** Installs the not-found handler of a path prefix: an unknown route is a 404 in the one error shape. */
export function installNotFoundHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'RouteNotFound', message: `no route ${request.method} ${request.url.split('?')[0]}` } }),
  );
}

/** The error a body in a media type the route does not take gets (415). */
export function unsupportedMediaType(): Error {
  return Object.assign(new Error('unsupported media type'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 });
}
