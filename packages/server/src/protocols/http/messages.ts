/**
 * Message routes of a queue: send (one entry, a batch, or a raw octet-stream body), peek, receive
 * with long poll, ack, nack, extend and redrive.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ChuteError, asSingleEntryError, invalidArgument } from '../../core/errors.js';
import type { Headers, ReceiptResult, ReceivedMessage, SendInput, SendResult } from '../../core/types.js';
import {
  type BodyEncodingChoice,
  type FramedSendEntry,
  type WireSendEntry,
  decodeFramedSendEntry,
  decodeSendEntry,
  framedMessagesJson,
  encodeMessage,
  receiptResultsJson,
  sendResultsJson,
} from './codec.js';
import { settleDecoded } from './batches.js';
import type { ApiContext } from './context.js';
import { acceptsFrames, batchContentType, encodeFrame } from './frames.js';
import { bodyEncodingChoiceSchema, framedSendSchema, nameParamSchema, sendEntrySchema, sendOptionSchemas } from './schemas.js';

const queueParams = { type: 'object', required: ['queue'], properties: { queue: nameParamSchema } } as const;

/** A send body is one entry, or `{ "messages": [...] }` for a batch. */
const sendBodySchema = {
  type: 'object',
  if: { required: ['messages'] },
  then: {
    required: ['messages'],
    additionalProperties: false,
    properties: { messages: { type: 'array', items: sendEntrySchema } },
  },
  else: sendEntrySchema,
} as const;

/** Options of a raw octet-stream send, given in the query string. */
const rawSendQuerySchema = { type: 'object', additionalProperties: false, properties: sendOptionSchemas } as const;

type RawSendQuery = { delayMs?: number; priority?: number; ttlMs?: number; groupId?: string; dedupId?: string };

/** Request headers named `X-Chute-Header-<name>` become message headers of a raw send. */
const rawHeaderPrefix = 'x-chute-header-';

/** Names a long poll for the end-poll route (named-polls.ts). */
const pollIdSchema = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;

/** Body of the receive route (also a channel request's body, channel.ts). */
export const receiveBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    max: { type: 'integer' },
    waitMs: { type: 'integer' },
    visibilityTimeoutMs: { type: 'integer' },
    autoAck: { type: 'boolean' },
    bodyEncoding: bodyEncodingChoiceSchema,
    pollId: pollIdSchema,
  },
} as const;

/** A receive's options as the wire gives them. */
export interface ReceiveBody {
  max?: number;
  waitMs?: number;
  visibilityTimeoutMs?: number;
  autoAck?: boolean;
  bodyEncoding?: BodyEncodingChoice;
  /** Names the poll for the end-poll route (named-polls.ts). */
  pollId?: string;
}

const pollParams = { type: 'object', required: ['queue', 'pollId'], properties: { queue: nameParamSchema, pollId: pollIdSchema } } as const;

const peekQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { max: { type: 'integer' }, after: { type: 'string' }, bodyEncoding: bodyEncodingChoiceSchema },
} as const;

/** Body of the ack route (also a channel request's body, channel.ts). */
export const ackBodySchema = {
  type: 'object',
  required: ['receipts'],
  additionalProperties: false,
  properties: { receipts: { type: 'array', items: { type: 'string' } } },
} as const;

/** Body of the nack route (also a channel request's body, channel.ts). */
export const nackBodySchema = {
  type: 'object',
  required: ['entries'],
  additionalProperties: false,
  properties: {
    entries: {
      type: 'array',
      items: {
        type: 'object',
        required: ['receipt'],
        additionalProperties: false,
        properties: { receipt: { type: 'string' }, delayMs: { type: 'integer' } },
      },
    },
  },
} as const;

/** Body of the extend route (also a channel request's body, channel.ts). */
export const extendBodySchema = {
  type: 'object',
  required: ['entries'],
  additionalProperties: false,
  properties: {
    entries: {
      type: 'array',
      items: {
        type: 'object',
        required: ['receipt', 'visibilityTimeoutMs'],
        additionalProperties: false,
        properties: { receipt: { type: 'string' }, visibilityTimeoutMs: { type: 'integer' } },
      },
    },
  },
} as const;

const redriveBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { to: { type: 'string' }, max: { type: 'integer' } },
} as const;

interface QueueRoute {
  Params: { queue: string };
}

/** The path of the send route, the one that also takes a raw octet-stream body and framed batches. */
export const rawSendRoute = '/queues/:queue/messages';

/** A framed batch send, as the frame parser hands it over. */
interface FramedSend {
  messages: FramedSendEntry[];
  bodies: Buffer[];
}

/** Registers the message routes under the API prefix. */
export function registerMessageRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { broker, access, options, polls } = ctx;

  app.post<QueueRoute & { Body: WireSendEntry | { messages: WireSendEntry[] } | FramedSend | Buffer; Querystring: RawSendQuery }>(
    rawSendRoute,
    {
      bodyLimit: options.maxSendRequestBytes,
      schema: {
        params: queueParams,
        querystring: rawSendQuerySchema,
        body: { content: { 'application/json': { schema: sendBodySchema }, [batchContentType]: { schema: framedSendSchema } } },
      },
    },
    async (request, reply) => {
      const { queue } = request.params;
      access.require(request, 'send', queue);
      options.admitSend?.();
      const body = request.body;
      if (Buffer.isBuffer(body)) return sendOne(reply, await broker.send(queue, [rawSendInput(request, body)]));
      // fastify skips the parser for an empty body: an empty raw message is still a raw send.
      if (request.headers['content-type']?.startsWith('application/octet-stream')) {
        return sendOne(reply, await broker.send(queue, [rawSendInput(request, Buffer.alloc(0))]));
      }
      if (Object.keys(request.query).length > 0) {
        throw invalidArgument(Object.keys(request.query)[0]!, 'query options apply to raw application/octet-stream sends only; put them in the JSON entry');
      }
      if ('bodies' in body) {
        const { messages, bodies } = body;
        const decode = (entry: FramedSendEntry, field: string, i: number): SendInput => decodeFramedSendEntry(entry, bodies[i] as Buffer, field);
        return json(reply, sendResultsJson(await sendBatch(ctx, queue, messages, decode)));
      }
      if ('messages' in body) return json(reply, sendResultsJson(await sendBatch(ctx, queue, body.messages, decodeSendEntry)));
      return sendOne(reply, await broker.send(queue, [decodeSendEntry(body, '')]));
    },
  );

  app.get<QueueRoute & { Querystring: { max?: number; after?: string; bodyEncoding?: BodyEncodingChoice } }>(
    '/queues/:queue/messages',
    { schema: { params: queueParams, querystring: peekQuerySchema } },
    async (request) => {
      const { queue } = request.params;
      access.require(request, 'receive', queue);
      const { max, after, bodyEncoding } = request.query;
      const messages = await broker.peek(queue, { ...(max !== undefined && { max }), ...(after !== undefined && { afterSequence: after }) });
      return { messages: messages.map((m) => encodeMessage(m, bodyEncoding ?? 'auto')) };
    },
  );

  app.post<QueueRoute & { Body: ReceiveBody }>(
    '/queues/:queue/receive',
    { schema: { params: queueParams, body: receiveBodySchema } },
    async (request, reply) => {
      const { queue } = request.params;
      access.require(request, 'receive', queue);
      const { bodyEncoding, pollId, ...rest } = request.body;
      const ended = endOfWait(reply, options.shutdownSignal);
      const named = pollId === undefined ? undefined : polls.open(queue, pollId, ended);
      let messages: ReceivedMessage[];
      try {
        messages = await broker.receive(queue, { ...rest, signal: named === undefined ? ended : named.signal, consumer: access.consumerLabel(request) });
      } finally {
        named?.close();
      }
      if (acceptsFrames(request.headers.accept)) {
        return reply.type(batchContentType).send(encodeFrame(framedMessagesJson(messages), messages.map((m) => m.body)));
      }
      return { messages: messages.map((m) => encodeMessage(m, bodyEncoding ?? 'auto')) };
    },
  );

  app.post<{ Params: { queue: string; pollId: string } }>(
    '/queues/:queue/polls/:pollId/end',
    { schema: { params: pollParams } },
    async (request, reply) => {
      const { queue, pollId } = request.params;
      access.require(request, 'receive', queue);
      await broker.getQueue(queue); // QueueNotFound for a queue that does not exist
      // Ending a poll that was answered already is not an error: the answer and the end cross.
      polls.end(queue, pollId);
      return reply.code(204).send();
    },
  );

  app.post<QueueRoute & { Body: { receipts: string[] } }>(
    '/queues/:queue/ack',
    { schema: { params: queueParams, body: ackBodySchema } },
    async (request, reply) => {
      access.require(request, 'receive', request.params.queue);
      return receiptResults(reply, await broker.ack(request.params.queue, request.body.receipts));
    },
  );

  app.post<QueueRoute & { Body: { entries: Array<{ receipt: string; delayMs?: number }> } }>(
    '/queues/:queue/nack',
    { schema: { params: queueParams, body: nackBodySchema } },
    async (request, reply) => {
      access.require(request, 'receive', request.params.queue);
      return receiptResults(reply, await broker.nack(request.params.queue, request.body.entries));
    },
  );

  app.post<QueueRoute & { Body: { entries: Array<{ receipt: string; visibilityTimeoutMs: number }> } }>(
    '/queues/:queue/extend',
    { schema: { params: queueParams, body: extendBodySchema } },
    async (request, reply) => {
      access.require(request, 'receive', request.params.queue);
      return receiptResults(reply, await broker.extend(request.params.queue, request.body.entries));
    },
  );

  app.post<QueueRoute & { Body: { to?: string; max?: number } }>(
    '/queues/:queue/redrive',
    { schema: { params: queueParams, body: redriveBodySchema } },
    async (request) => {
      const { queue } = request.params;
      access.require(request, 'manage', queue);
      if (request.body.to !== undefined) access.require(request, 'manage', request.body.to);
      return broker.redrive(queue, request.body);
    },
  );
}

/** Answers a single send: 201 with the id, or the entry's own error as the response status. */
function sendOne(reply: FastifyReply, results: Awaited<ReturnType<ApiContext['broker']['send']>>): FastifyReply {
  const r = results[0];
  if (r === undefined) throw new ChuteError('StorageError', 'the broker returned no result for a send');
  if (!r.ok) throw asSingleEntryError(r.error);
  return reply.code(201).send({ id: r.id, sequence: r.sequence, duplicate: r.duplicate });
}

/**
 * Sends a batch (for the send route and the channel). An entry whose body or headers cannot be decoded fails alone, like an entry the
 * broker refuses; the others are sent and the results come back in the order of the request.
 */
export async function sendBatch<E extends { id?: string }>(
  ctx: ApiContext,
  queue: string,
  wire: E[],
  decode: (entry: E, field: string, index: number) => SendInput,
): Promise<SendResult[]> {
  return settleDecoded(
    wire,
    decode,
    (inputs, places) => ctx.broker.send(queue, inputs, places),
    (error, entry): SendResult => (entry.id === undefined ? { ok: false, error } : { ok: false, entryId: entry.id, error }),
  );
}

/** Builds the send of a raw body: options from the query, headers from `X-Chute-Header-*`. */
function rawSendInput(request: FastifyRequest<{ Querystring: RawSendQuery }>, body: Buffer): SendInput {
  const input: SendInput = { body, ...request.query };
  const headers: Headers = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (!name.startsWith(rawHeaderPrefix) || value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    // Node reads header values as latin1; re-reading the bytes as UTF-8 keeps non-ASCII text intact.
    headers[name.slice(rawHeaderPrefix.length)] = Buffer.from(text, 'latin1').toString('utf8');
  }
  if (Object.keys(headers).length > 0) input.headers = headers;
  return input;
}

/** A signal that ends a long poll early when the client goes away or the server shuts down. */
function endOfWait(reply: FastifyReply, shutdown: AbortSignal | undefined): AbortSignal {
  const clientGone = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) clientGone.abort();
  });
  return shutdown === undefined ? clientGone.signal : AbortSignal.any([clientGone.signal, shutdown]);
}

/** Ack, nack and extend answers: per-entry results, or the error itself when only one was asked. */
function receiptResults(reply: FastifyReply, results: ReceiptResult[]): FastifyReply {
  const only = results.length === 1 ? results[0] : undefined;
  if (only !== undefined && !only.ok) throw only.error;
  return json(reply, receiptResultsJson(results));
}

/** Answers with JSON text the route wrote itself. */
function json(reply: FastifyReply, text: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(text);
}
