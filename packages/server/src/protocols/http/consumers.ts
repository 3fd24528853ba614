/**
 * The consumer listing: who has been receiving from which queue recently. Each caller sees only
 * the queues it has some permission on.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from './context.js';

const consumersQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { queue: { type: 'string', minLength: 1 } },
} as const;

/** Registers `GET /consumers` under the API prefix. */
export function registerConsumerRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: { queue?: string } }>('/consumers', { schema: { querystring: consumersQuerySchema } }, async (request) => {
    const { queue } = request.query;
    if (queue !== undefined) ctx.access.requireAny(request, queue);
    const consumers = ctx.broker.listConsumers(queue).filter((c) => ctx.access.canSee(request, c.queue));
    return { consumers };
  });
}
