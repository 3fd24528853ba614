/**
 * The server's structured log: pino (fastify's own logger), one JSON object per line on stderr, so
 * stdout carries only the two human lines `chute serve` prints. Secrets are redacted by path as a
 * second line of defence; the code never logs a token or an Authorization header in the first place.
 */
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

/** Paths that could carry a secret if a future log call passed a request or the configuration. */
const redactPaths = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'token',
  'tokens[*].token',
  'config.tokens[*].token',
  'secretAccessKey',
  'credentials[*].secretAccessKey',
];

/** Creates the server logger at the given level. */
export function createLogger(level: LogLevel): Logger {
  return pino(
    { level, base: { pid: process.pid }, redact: { paths: redactPaths, censor: '[redacted]' } },
    // Synchronous writes: the last lines before an exit are never lost, and logs are rare (request logs are off by default).
    pino.destination({ fd: 2, sync: true }),
  );
}
