/**
 * Starting and stopping a whole server: open the broker, build the app, listen, and on shutdown
 * stop accepting, let in-flight requests finish (waiting long polls return at once, empty), then
 * close the broker so that everything confirmed is flushed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { openBroker } from '../open-broker.js';
import type { Readiness } from '../protocols/http/index.js';
import { buildApp } from './app.js';
import { isLoopbackHost } from './auth.js';
import { ConfigError, type ServerConfig } from './config.js';
import { MemoryGuard } from './memory-guard.js';

/** How often a shutdown closes keep-alive connections that became idle. */
const idleSweepIntervalMs = 50;

/** A started server. */
export interface RunningChute {
  /** Base URL as the server listens, e.g. `http://127.0.0.1:7070`. */
  url: string;
  /** Absolute data directory. */
  dataDir: string;
  /** Shuts down gracefully; `reason` is logged (a signal name, usually). Safe to call twice. */
  close(reason: string): Promise<void>;
}

/** Refuses a configuration that would expose an unprotected broker to the network. */
function checkExposure(config: ServerConfig): void {
  if (!isLoopbackHost(config.host) && config.tokens.length === 0 && !config.insecure) {
    throw new ConfigError(
      '--host',
      `${config.host} is reachable from other machines, but no access tokens are configured; add "tokens" to the config file, or pass --insecure to serve without authentication`,
    );
  }
}

/** Formats the listening URL; IPv6 addresses need brackets. */
function listenUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Opens the broker and starts listening. Throws ConfigError for a refused configuration. */
export async function runServer(config: ServerConfig, logger: Logger): Promise<RunningChute> {
  checkExposure(config);
  const dataDir = path.resolve(config.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });

  let readiness: Readiness = 'starting';
  const shutdown = new AbortController();
  const shutdownTimedOut = new AbortController();
  const broker = await openBroker({
    dataDir,
    onError: (err) => logger.error({ err, event: 'broker.error' }, 'background broker work failed'),
    onEvent: ({ type, ...details }) => logger.info({ event: type, ...details }, type.replace('.', ' ')),
  });
  const memory = new MemoryGuard(config.limits, (overloaded, usage) =>
    overloaded
      ? logger.warn({ event: 'memory.overloaded', ...usage }, 'memory above its bound: refusing sends')
      : logger.info({ event: 'memory.recovered', ...usage }, 'memory back below its bound: accepting sends'),
  );

  let app;
  try {
    app = await buildApp({
      broker,
      config,
      logger,
      readiness: () => readiness,
      shutdownSignal: shutdown.signal,
      shutdownTimeoutSignal: shutdownTimedOut.signal,
      admitSend: () => memory.admit(),
    });
    await app.listen({ port: config.port, host: config.host });
  } catch (e) {
    await broker.close();
    throw e;
  }
  memory.start();
  readiness = 'ok';
  const port = (app.server.address() as AddressInfo).port;
  const url = listenUrl(config.host, port);
  logger.info(
    { event: 'started', url, dataDir, tokens: config.tokens.map((t) => t.name), insecure: config.insecure },
    'chute started',
  );

  let closing: Promise<void> | undefined;
  const close = (reason: string): Promise<void> => {
    closing ??= (async () => {
      readiness = 'stopping';
      logger.info({ event: 'stopping', reason }, 'chute stopping');
      shutdown.abort();
      const closed = app.close();
      // Node closes the connections idle at close() only; a keep-alive connection whose request
      // finishes later would hold the shutdown until its idle timeout, so look again and again.
      const sweep = setInterval(() => app.server.closeIdleConnections(), idleSweepIntervalMs);
      const timer = setTimeout(() => {
        logger.warn({ event: 'shutdown.timeout', timeoutMs: config.limits.shutdownTimeoutMs }, 'closing connections of requests still running');
        app.server.closeAllConnections();
        // Upgraded connections (channels) are no longer the HTTP server's to close.
        shutdownTimedOut.abort();
      }, config.limits.shutdownTimeoutMs);
      await closed;
      clearInterval(sweep);
      clearTimeout(timer);
      memory.stop();
      await broker.close();
      logger.info({ event: 'stopped', reason }, 'chute stopped');
    })();
    return closing;
  };
  return { url, dataDir, close };
}
