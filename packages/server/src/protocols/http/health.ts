/**
 * `GET /healthz`: liveness and readiness for load balancers and orchestrators. It needs no token,
 * so that a health check never has to hold a secret, and it says nothing about queues.
 */
import type { FastifyInstance } from 'fastify';
import type { Readiness } from './context.js';

/** Registers `GET /healthz` at the root of the server. */
export function registerHealthRoute(app: FastifyInstance, readiness: () => Readiness): void {
  app.get('/healthz', async (_request, reply) => {
    const status = readiness();
    return reply.code(status === 'ok' ? 200 : 503).send({ status });
  });
}
