/**
 * Queue management routes: list, create (PUT, idempotent), get, update, delete, purge, stats and
 * dead-letter sources. (The Broker reports lifecycle events; the server logs them.)
 */
import type { FastifyInstance } from 'fastify';
import type { ListOptions, QueueConfig } from '../../core/types.js';
import type { ApiContext } from './context.js';
import { isChuteError } from '../../core/errors.js';
import { defaultListLimit, listQuerySchema, nameParamSchema } from './schemas.js';

const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;
const nullableInteger = { type: ['integer', 'null'] } as const;

/** A partial QueueConfig as PUT and PATCH accept it. */
export const queueConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    fifo: { type: 'boolean' },
    visibilityTimeoutMs: { type: 'integer' },
    delayMs: { type: 'integer' },
    retentionMs: { type: 'integer' },
    maxDeliveries: nullableInteger,
    deadLetterQueue: { type: ['string', 'null'] },
    maxLength: nullableInteger,
    maxBytes: nullableInteger,
    overflow: { type: 'string', enum: ['reject', 'drop-oldest', 'dead-letter-oldest'] },
    expiry: { type: 'string', enum: ['drop', 'dead-letter'] },
    maxMessageBytes: { type: 'integer' },
    dedupWindowMs: { type: 'integer' },
    contentBasedDedup: { type: 'boolean' },
    receiveWaitMs: { type: 'integer' },
    durable: { type: 'boolean' },
    tags: stringMap,
    attributes: stringMap,
  },
} as const;

const queueParams = { type: 'object', required: ['queue'], properties: { queue: nameParamSchema } } as const;

interface QueueRoute {
  Params: { queue: string };
}

/** Registers the queue management routes under the API prefix. */
export function registerQueueRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { broker, access } = ctx;

  app.get<{ Querystring: ListOptions }>('/queues', { schema: { querystring: listQuerySchema } }, async (request) => {
    const limit = request.query.limit ?? defaultListLimit;
    const page = await broker.listQueues({ ...request.query, limit });
    const out: { queues: typeof page; next?: string } = { queues: page.filter((q) => access.canSee(request, q.name)) };
    // A full page may have more behind it; the client continues after the last name it was given.
    if (page.length === limit) out.next = page[page.length - 1]!.name;
    return out;
  });

  app.put<QueueRoute & { Body: Partial<QueueConfig> }>(
    '/queues/:queue',
    { schema: { params: queueParams, body: queueConfigSchema } },
    async (request, reply) => {
      const { queue } = request.params;
      access.require(request, 'manage', queue);
      const existed = await queueExists(ctx, queue);
      const info = await broker.createQueue(queue, request.body);
      return reply.code(existed ? 200 : 201).send(info);
    },
  );

  app.get<QueueRoute>('/queues/:queue', { schema: { params: queueParams } }, async (request) => {
    access.requireAny(request, request.params.queue);
    return broker.getQueue(request.params.queue);
  });

  app.patch<QueueRoute & { Body: Partial<QueueConfig> }>(
    '/queues/:queue',
    { schema: { params: queueParams, body: queueConfigSchema } },
    async (request) => {
      access.require(request, 'manage', request.params.queue);
      return broker.updateQueue(request.params.queue, request.body);
    },
  );

  app.delete<QueueRoute>('/queues/:queue', { schema: { params: queueParams } }, async (request, reply) => {
    const { queue } = request.params;
    access.require(request, 'manage', queue);
    await broker.deleteQueue(queue);
    return reply.code(204).send();
  });

  app.post<QueueRoute>('/queues/:queue/purge', { schema: { params: queueParams } }, async (request) => {
    const { queue } = request.params;
    access.require(request, 'manage', queue);
    return broker.purgeQueue(queue);
  });

  app.get<QueueRoute>('/queues/:queue/stats', { schema: { params: queueParams } }, async (request) => {
    access.requireAny(request, request.params.queue);
    return broker.queueStats(request.params.queue);
  });

  app.get<QueueRoute>('/queues/:queue/dead-letter-sources', { schema: { params: queueParams } }, async (request) => {
    access.requireAny(request, request.params.queue);
    return { queues: await broker.deadLetterSources(request.params.queue) };
  });
}

/** Whether the queue exists now; tells a PUT that created (201) from one that found it (200). */
async function queueExists(ctx: ApiContext, queue: string): Promise<boolean> {
  try {
    await ctx.broker.getQueue(queue);
    return true;
  } catch (e) {
    if (isChuteError(e, 'QueueNotFound') || isChuteError(e, 'InvalidQueueName')) return false;
    throw e;
  }
}
