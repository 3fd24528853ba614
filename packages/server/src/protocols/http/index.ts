/**
 * The native HTTP API of Chute: `GET /healthz` and everything under `/v1`, one file per resource.
 * It runs in its own fastify context, so its parsers, validators and error shape do not leak into
 * the other front-ends that share the server.
 */
import type { FastifyInstance } from 'fastify';
import { registerChannel } from './channel.js';
import { registerConsumerRoutes } from './consumers.js';
import { type ApiContext, type HttpApiOptions, RequestAccess } from './context.js';
import { installErrorHandler, installNotFoundHandler } from './errors.js';
import { registerHealthRoute } from './health.js';
import { rawSendRoute, registerMessageRoutes } from './messages.js';
import { registerQueueRoutes } from './queues.js';
import { publishRoute, registerTopicRoutes } from './topics.js';
import { NamedPolls } from './named-polls.js';
import { installValidation } from './validation.js';

export type { HttpApiOptions, Readiness } from './context.js';

/** The path prefix of every native API route except `/healthz`. */
export const apiPrefix = '/v1';

/** Registers the native API on the server's fastify instance. */
export async function registerHttpApi(app: FastifyInstance, opts: HttpApiOptions): Promise<void> {
  await app.register(
    async (health) => {
      installErrorHandler(health);
      registerHealthRoute(health, opts.readiness ?? (() => 'ok'));
    },
  );
  const ctx: ApiContext = { broker: opts.broker, options: opts, access: new RequestAccess(opts.authenticate, opts.authorize), polls: new NamedPolls() };
  registerChannel(app, ctx);
  await app.register(
    async (api) => {
      installErrorHandler(api);
      installNotFoundHandler(api);
      installValidation(api, new Set([apiPrefix + rawSendRoute]), new Set([apiPrefix + rawSendRoute, apiPrefix + publishRoute]));
      // Every route not sized for messages gets the small limit, so big bodies are refused early.
      api.addHook('onRoute', (route) => {
        route.bodyLimit ??= opts.maxControlRequestBytes;
      });
      // Authenticate before the body is read: a request without a valid token is refused unread.
      api.addHook('onRequest', (request, _reply, done) => {
        try {
          ctx.access.authenticate(request);
        } catch (e) {
          done(e as Error);
          return;
        }
        done();
      });
      registerQueueRoutes(api, ctx);
      registerMessageRoutes(api, ctx);
      registerTopicRoutes(api, ctx);
      registerConsumerRoutes(api, ctx);
    },
    { prefix: apiPrefix },
  );
}
