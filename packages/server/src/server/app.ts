/**
 * Builds the one fastify application `chute serve` runs: metrics, the web console, the native API
 * and the SQS API on one port, with the server-wide limits (body sizes, timeouts against slow
 * clients, keep-alive) and the loopback rule of a server without tokens.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { BrokerApi } from '../core/broker-api.js';
import { ChuteError } from '../core/errors.js';
import { AccessError } from '../protocols/auth-types.js';
import { installErrorHandler, installNotFoundHandler, sendError } from '../protocols/http/errors.js';
import { type Readiness, registerHttpApi } from '../protocols/http/index.js';
import { registerSqs } from '../protocols/sqs/index.js';
import { createAccessPolicy } from './auth.js';
import type { ServerConfig } from './config.js';
import { registerConsole } from './console.js';
import { type MetricsSource, registerMetrics } from './metrics.js';

/** The broker the server needs: the Broker API plus the storage counters metrics report. */
export type ServerBroker = BrokerApi & MetricsSource;

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
  broker: ServerBroker;
  config: ServerConfig;
  logger: Logger;
  /** Readiness for `/healthz`; default always ready. */
  readiness?: () => Readiness;
  /** Aborted when shutdown begins, to end waiting long polls. */
  shutdownSignal?: AbortSignal;
  /** Aborted when shutdown has waited `limits.shutdownTimeoutMs`, to close the channels still open. */
  shutdownTimeoutSignal?: AbortSignal;
  /** Throws Overloaded while the process is short of memory (see MemoryGuard). */
  admitSend?: () => void;
  /** Sees every route as it is registered (the OpenAPI drift test lists the routes with it). */
  onRoute?: (route: { method: string | string[]; url: string }) => void;
}

/**
 * How often Node checks connections against the headers and request timeouts. Its default (30 s)
 * would let a slow-loris client hold a connection far past the configured timeout.
 */
function connectionsCheckingIntervalMs(config: ServerConfig): number {
  return Math.max(100, Math.min(1000, Math.floor(config.limits.headersTimeoutMs / 4)));
}

/** Returns the fastify instance with every front-end registered, ready to listen. */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const { broker, config, logger } = opts;
  const { limits } = config;
  const policy = createAccessPolicy(config.tokens, config.insecure);

  const app: FastifyInstance = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: !config.logRequests }),
    // Routes size their own bodies; this bound covers routes of other front-ends that do not.
    bodyLimit: limits.maxControlRequestBytes,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: connectionsCheckingIntervalMs(config) },
    // Requests that arrive while stopping are refused by our own hook below, in the API's error shape.
    return503OnClosing: false,
    // Names are checked by the broker (up to 80 characters); a longer path parameter should reach
    // it and get InvalidQueueName rather than a router error.
    routerOptions: { maxParamLength: 1024 },
    // Router-level failures (a malformed URL) leave in the same error shape as everything else.
    frameworkErrors: (error, request, reply) => sendError(request, reply, error),
    // Requests Node cuts off before they reach a route (too slow, malformed) answer in that shape too.
    clientErrorHandler: answerClientError,
    trustProxy: false,
  });

  const { onRoute } = opts;
  if (onRoute !== undefined) app.addHook('onRoute', (route) => onRoute({ method: route.method, url: route.url }));
  installErrorHandler(app);
  installNotFoundHandler(app);
  // While stopping, every answer closes its connection, so clients reconnect to a live server.
  // Hooks take callbacks rather than being async: every request runs them, and a promise per hook
  // per request is measurable garbage at tens of thousands of requests per second.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (opts.readiness?.() === 'stopping') void reply.header('connection', 'close');
    done(null, payload);
  });
  // Without tokens the server is as open as the machine it runs on: only local peers may talk to it.
  // While stopping, new requests on open connections are refused (healthz reports "stopping").
  app.addHook('onRequest', (request, _reply, done) => {
    if (opts.readiness?.() === 'stopping' && request.routeOptions.url !== '/healthz') {
      done(new ChuteError('ShuttingDown', 'the server is shutting down; retry on a running server', { retryAfterMs: 1000 }));
    } else if (!policy.peerAllowed(request.socket.remoteAddress)) {
      done(new AccessError('Forbidden', 'this server has no access tokens configured and accepts local connections only'));
    } else done();
  });

  await app.register(registerMetrics, { broker, authenticate: policy.authenticate });
  await app.register(registerConsole, {});
  await registerHttpApi(app, {
    broker,
    authenticate: policy.authenticate,
    authorize: policy.authorize,
    peerAllowed: policy.peerAllowed,
    maxSendRequestBytes: limits.maxRequestBytes,
    maxControlRequestBytes: limits.maxControlRequestBytes,
    ...(opts.admitSend && { admitSend: opts.admitSend }),
    ...(opts.readiness && { readiness: opts.readiness }),
    ...(opts.shutdownSignal && { shutdownSignal: opts.shutdownSignal }),
    ...(opts.shutdownTimeoutSignal && { shutdownTimeoutSignal: opts.shutdownTimeoutSignal }),
  });
  await registerSqs(app, {
    broker,
    accountId: config.sqs.accountId,
    region: config.sqs.region,
    ...(config.sqs.externalUrl !== undefined && { externalUrl: config.sqs.externalUrl }),
    credentials: config.tokens.map((t) => ({ accessKeyId: t.accessKeyId ?? t.name, secretAccessKey: t.token, name: t.name })),
    allowUnsigned: !policy.tokensRequired,
    authorize: policy.authorize,
    ...(opts.admitSend && { admitSend: opts.admitSend }),
    ...(opts.shutdownSignal && { shutdownSignal: opts.shutdownSignal }),
  });
  return app;
}

/**
 * Answers a request that failed before fastify saw it: a client too slow to send it (408
 * RequestTimeout) or bytes that are not HTTP (400 BadRequest), in the API's one error shape.
 */
function answerClientError(error: Error & { code?: string }, socket: import('node:net').Socket): void {
  if (socket.destroyed || !socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const timeout = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const [status, reason, code, message] = timeout
    ? [408, 'Request Timeout', 'RequestTimeout', 'the request did not arrive in time (limits.headersTimeoutMs / limits.requestTimeoutMs)']
    : [400, 'Bad Request', 'BadRequest', 'the request is not valid HTTP'];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
