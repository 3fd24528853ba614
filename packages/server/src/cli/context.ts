/**
 * What every command needs: the global options and a client built from them.
 */
import { Chute } from '@chutemq/client';
import type { Command } from 'commander';

/** The options every command accepts (see main.ts). */
export interface GlobalOptions {
  /** Broker URL (`--url`, `CHUTE_URL`). */
  url: string;
  /** Access token (`--token`, `CHUTE_TOKEN`). */
  token?: string;
  /** Print JSON for scripts instead of tables. */
  json: boolean;
}

/** Reads the global options as seen from a (sub)command. */
export function globalOptions(command: Command): GlobalOptions {
  const o = command.optsWithGlobals<{ url: string; token?: string; json?: boolean }>();
  const out: GlobalOptions = { url: o.url, json: o.json === true };
  if (o.token !== undefined && o.token !== '') out.token = o.token;
  return out;
}

/**
 * A client for one command run. A command line should fail fast when the broker is down, so it
 * retries a refused connection only briefly (about 1.5 s in all).
 */
export function clientFor(options: GlobalOptions): Chute {
  return new Chute({
    url: options.url,
    ...(options.token === undefined ? {} : { token: options.token }),
    maxRetries: 4,
    retryBackoff: { initialMs: 100, maxMs: 800 },
  });
}
