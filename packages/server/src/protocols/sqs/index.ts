/**
 * The Amazon SQS-compatible API: `POST /` and `POST /{accountId}/{queueName}` in both wire
 * protocols the AWS clients use (AWS JSON 1.0 and Query/XML), verified with Signature Version 4,
 * and mapped onto the one Broker API. docs/sqs.md lists every action, attribute and difference.
 */
import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BrokerApi } from '../../core/broker-api.js';
import type { Authorizer } from '../auth-types.js';
import { sqsActions } from './actions/index.js';
import { decodeJsonRequest, encodeJsonError, encodeJsonOutput, jsonContentType } from './codec-json.js';
import { decodeQueryRequest, encodeQueryError, encodeQueryOutput } from './codec-query.js';
import type { SqsContext } from './context.js';
import { SqsError, toSqsError } from './errors.js';
import { LeaseStarts } from './lease-starts.js';
import { SqsLimits } from './limits.js';
import { MoveTasks } from './move-tasks.js';
import type { SqsInput } from './params.js';
import { createSigV4Verifier, type SigV4Verifier, type SqsCredential } from './sigv4.js';

export type { SqsCredential } from './sigv4.js';

/** Options of {@link registerSqs}. */
export interface SqsOptions {
  broker: BrokerApi;
  /** The 12-digit account id in queue URLs and ARNs. */
  accountId: string;
  /** The region in queue ARNs. */
  region: string;
  /** Base URL for queue URLs (behind a proxy); default: the scheme and Host header of each request. */
  externalUrl?: string;
  /** Access keys whose SigV4 signatures are accepted; `name` is the principal the authorizer sees. */
  credentials: SqsCredential[];
  /** Accept unsigned requests (the server sets this only without credentials, on loopback). */
  allowUnsigned: boolean;
  authorize: Authorizer;
  /** Throws Overloaded while the broker refuses new messages (memory back-pressure). */
  admitSend?: () => void;
  /** Aborted when the server begins to stop: long polls end at once with what they have. */
  shutdownSignal?: AbortSignal;
}

const formContentType = 'application/x-www-form-urlencoded';

/** Everything one registration shares across its requests. */
interface SqsState {
  options: SqsOptions;
  verify: SigV4Verifier;
  moveTasks: MoveTasks;
  leaseStarts: LeaseStarts;
}

/** Registers the SQS routes and their body parsers, in a context of their own. */
export async function registerSqs(app: FastifyInstance, opts: SqsOptions): Promise<void> {
  const now = (): number => Date.now();
  const state: SqsState = {
    options: opts,
    verify: createSigV4Verifier({ credentials: opts.credentials, allowUnsigned: opts.allowUnsigned, now }),
    moveTasks: new MoveTasks(opts.broker, now),
    leaseStarts: new LeaseStarts(),
  };
  await app.register(async (scope) => {
    for (const type of [jsonContentType, formContentType]) {
      // The raw bytes are kept: the signature covers them, and each codec parses them itself.
      if (scope.hasContentTypeParser(type)) scope.removeContentTypeParser(type);
      scope.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: SqsLimits.requestBodyBytesMax }, (_req, body, done) => done(null, body));
    }
    scope.addHook('onClose', async () => state.moveTasks.close());
    // Errors raised before a handler runs (peer refused, body too large, bad content) keep SQS's wire form.
    scope.setErrorHandler(async (error: unknown, request, reply) => {
      const mapped = toSqsError(error) ?? frameworkError(error);
      if (mapped.status >= 500) request.log.error({ err: error }, 'SQS request failed unexpectedly');
      await sendError(request, reply, mapped, crypto.randomUUID());
    });
    const handler = (request: FastifyRequest, reply: FastifyReply): Promise<void> => handle(state, request, reply);
    scope.post('/', handler);
    scope.post('/:accountId/:queueName', handler);
  });
}

async function handle(state: SqsState, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const requestId = crypto.randomUUID();
  const json = isJsonRequest(request);
  let action = '';
  reply.header('x-amzn-RequestId', requestId);
  try {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const [path, query = ''] = request.raw.url?.split('?', 2) ?? ['/'];
    const signer = state.verify({ method: request.method, path: path ?? '/', query, headers: rawHeaders(request), body });
    const decoded: { action: string; input: SqsInput } = json
      ? decodeJsonRequest(body, firstValue(request.headers['x-amz-target']))
      : decodeQueryRequest(body, query);
    action = decoded.action;
    const run = Object.hasOwn(sqsActions, action) ? sqsActions[action] : undefined;
    if (run === undefined) throw new SqsError('InvalidAction', `The action ${action} is not valid for this endpoint.`);
    const output = await run(context(state, request, reply, signer), decoded.input);
    if (json) await reply.type(jsonContentType).send(encodeJsonOutput(output));
    else await reply.type('text/xml').send(encodeQueryOutput(action, output, requestId));
  } catch (e) {
    let error = toSqsError(e);
    if (error === null) {
      request.log.error({ err: e, action }, 'SQS request failed unexpectedly');
      error = new SqsError('InternalFailure', 'We encountered an internal error. Please try again.');
    }
    await sendError(request, reply, error, requestId);
  }
}

/** Answers with an error in the wire form of the request's protocol. */
async function sendError(request: FastifyRequest, reply: FastifyReply, error: SqsError, requestId: string): Promise<void> {
  reply.header('x-amzn-RequestId', requestId);
  if (isJsonRequest(request)) {
    const encoded = encodeJsonError(error);
    await reply.code(encoded.status).headers(encoded.headers).type(jsonContentType).send(encoded.body);
  } else {
    const encoded = encodeQueryError(error, requestId);
    await reply.code(encoded.status).type('text/xml').send(encoded.body);
  }
}

/** Fastify's own errors (body too large, malformed body) as SQS errors; anything else is internal. */
function frameworkError(error: unknown): SqsError {
  const status = typeof error === 'object' && error !== null && 'statusCode' in error ? Number(error.statusCode) : 500;
  const message = error instanceof Error ? error.message : String(error);
  if (status === 413) return new SqsError('InvalidParameterValue', `The request is too large: ${message}`);
  if (status >= 400 && status < 500) return new SqsError('MalformedQueryString', message);
  return new SqsError('InternalFailure', 'We encountered an internal error. Please try again.');
}

function isJsonRequest(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').toLowerCase().startsWith(jsonContentType);
}

function context(state: SqsState, request: FastifyRequest, reply: FastifyReply, signer: string | null): SqsContext {
  const { options } = state;
  const controller = new AbortController();
  // The response closing before it was sent means the client went away: end its long poll.
  reply.raw.once('close', () => {
    if (!reply.raw.writableEnded) controller.abort();
  });
  const signal = options.shutdownSignal === undefined ? controller.signal : AbortSignal.any([controller.signal, options.shutdownSignal]);
  const params = request.params as { accountId?: string; queueName?: string };
  const baseUrl = options.externalUrl ?? `${request.protocol}://${request.headers.host ?? request.hostname}`;
  return {
    broker: options.broker,
    naming: { accountId: options.accountId, region: options.region, baseUrl: baseUrl.replace(/\/+$/, '') },
    principal: signer === null ? null : { name: signer, permissions: [] },
    authorize: options.authorize,
    moveTasks: state.moveTasks,
    leaseStarts: state.leaseStarts,
    signal,
    admitSend: options.admitSend ?? (() => {}),
    consumer: `sqs:${signer ?? request.ip}`,
    pathQueue: params.queueName === undefined ? undefined : safeDecode(params.queueName),
    now: () => Date.now(),
  };
}

/** Header name → every value as received (Node joins some repeated headers; the raw list keeps them apart). */
function rawHeaders(request: FastifyRequest): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const raw = request.raw.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const list = out.get(name);
    if (list === undefined) out.set(name, [raw[i + 1]!]);
    else list.push(raw[i + 1]!);
  }
  return out;
}

function firstValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
