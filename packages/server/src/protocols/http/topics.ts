/**
 * Topic routes: list, create (PUT, idempotent), get, delete, subscribe and unsubscribe a queue, and
 * publish. A publish needs `send` on the topic; subscribing needs `manage` on the topic and the queue.
 */
import type { FastifyInstance } from 'fastify';
import { ChuteError, isChuteError } from '../../core/errors.js';
import type { ListOptions, PublishResult, SubscriptionFilter } from '../../core/types.js';
import { validateBatch } from '../../core/validate.js';
import { type FramedPublish, type WirePublish, decodeFramedPublish, decodePublish } from './codec.js';
import { settleDecoded } from './batches.js';
import { wireErrorOf } from './errors.js';
import type { ApiContext } from './context.js';
import { batchContentType } from './frames.js';
import { defaultListLimit, framedPublishSchema, listQuerySchema, messageFieldSchemas, nameParamSchema } from './schemas.js';

const topicParams = { type: 'object', required: ['topic'], properties: { topic: nameParamSchema } } as const;
const subscriptionParams = {
  type: 'object',
  required: ['topic', 'queue'],
  properties: { topic: nameParamSchema, queue: nameParamSchema },
} as const;

const subscribeBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    filter: {
      type: 'object',
      additionalProperties: false,
      properties: {
        routingKey: { type: 'string' },
        headers: { type: 'object', additionalProperties: { type: ['string', 'number'] } },
      },
    },
  },
} as const;

const publishEntrySchema = {
  type: 'object',
  required: ['body'],
  additionalProperties: false,
  properties: { ...messageFieldSchemas, routingKey: { type: 'string' } },
} as const;

/** A publish body is one message, or `{ "messages": [...] }` for a batch. */
const publishBodySchema = {
  type: 'object',
  if: { required: ['messages'] },
  then: {
    required: ['messages'],
    additionalProperties: false,
    properties: { messages: { type: 'array', items: publishEntrySchema } },
  },
  else: publishEntrySchema,
} as const;

interface TopicRoute {
  Params: { topic: string };
}

/** The publish route, which also takes framed batches. */
export const publishRoute = '/topics/:topic/publish';
interface SubscriptionRoute {
  Params: { topic: string; queue: string };
}

/** Registers the topic routes under the API prefix. */
export function registerTopicRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { broker, access, options } = ctx;

  app.get<{ Querystring: ListOptions }>('/topics', { schema: { querystring: listQuerySchema } }, async (request) => {
    const limit = request.query.limit ?? defaultListLimit;
    const page = await broker.listTopics({ ...request.query, limit });
    const out: { topics: typeof page; next?: string } = { topics: page.filter((t) => access.canSee(request, t.name)) };
    if (page.length === limit) out.next = page[page.length - 1]!.name;
    return out;
  });

  app.put<TopicRoute>('/topics/:topic', { schema: { params: topicParams } }, async (request, reply) => {
    const { topic } = request.params;
    access.require(request, 'manage', topic);
    const existed = await topicExists(ctx, topic);
    const info = await broker.createTopic(topic);
    return reply.code(existed ? 200 : 201).send(info);
  });

  app.get<TopicRoute>('/topics/:topic', { schema: { params: topicParams } }, async (request) => {
    access.requireAny(request, request.params.topic);
    return broker.getTopic(request.params.topic);
  });

  app.delete<TopicRoute>('/topics/:topic', { schema: { params: topicParams } }, async (request, reply) => {
    const { topic } = request.params;
    access.require(request, 'manage', topic);
    await broker.deleteTopic(topic);
    return reply.code(204).send();
  });

  app.put<SubscriptionRoute & { Body: { filter?: SubscriptionFilter } }>(
    '/topics/:topic/subscriptions/:queue',
    { schema: { params: subscriptionParams, body: subscribeBodySchema } },
    async (request) => {
      const { topic, queue } = request.params;
      access.require(request, 'manage', topic);
      access.require(request, 'manage', queue);
      return broker.subscribe(topic, queue, request.body.filter);
    },
  );

  app.delete<SubscriptionRoute>('/topics/:topic/subscriptions/:queue', { schema: { params: subscriptionParams } }, async (request, reply) => {
    const { topic, queue } = request.params;
    access.require(request, 'manage', topic);
    access.require(request, 'manage', queue);
    await broker.unsubscribe(topic, queue);
    return reply.code(204).send();
  });

  app.post<TopicRoute & { Body: WirePublish | { messages: WirePublish[] } | { messages: FramedPublish[]; bodies: Buffer[] } }>(
    publishRoute,
    {
      bodyLimit: options.maxSendRequestBytes,
      schema: { params: topicParams, body: { content: { 'application/json': { schema: publishBodySchema }, [batchContentType]: { schema: framedPublishSchema } } } },
    },
    async (request) => {
      const { topic } = request.params;
      access.require(request, 'send', topic);
      options.admitSend?.();
      const body = request.body;
      if (!('messages' in body)) return broker.publish(topic, decodePublish(body));
      validateBatch('messages', body.messages, []);
      // Each message is its own atomic publish; issued together, they share the storage commits.
      const settled = await settleDecoded(
        body.messages as Array<WirePublish | FramedPublish>,
        (m, field, i) => ('bodies' in body ? decodeFramedPublish(m, body.bodies[i] as Buffer, field) : decodePublish(m as WirePublish, field)),
        (inputs, places) => broker.publishMany(topic, inputs, places),
        (reason): PromiseSettledResult<PublishResult> => ({ status: 'rejected', reason }),
      );
      return {
        results: settled.map((r) => {
          if (r.status === 'fulfilled') return { ok: true, ...r.value };
          if (r.reason instanceof ChuteError) return { ok: false, error: wireErrorOf(r.reason) };
          throw r.reason;
        }),
      };
    },
  );
}

/** Whether the topic exists now; tells a PUT that created (201) from one that found it (200). */
async function topicExists(ctx: ApiContext, topic: string): Promise<boolean> {
  try {
    await ctx.broker.getTopic(topic);
    return true;
  } catch (e) {
    if (isChuteError(e, 'TopicNotFound') || isChuteError(e, 'InvalidArgument')) return false;
    throw e;
  }
}
