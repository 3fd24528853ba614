/**
 * Starts the real `chute serve` command as a child process for end-to-end tests: a fresh data
 * directory, port 0 (any free port), and a promise that resolves once the server printed where it
 * listens. Every end-to-end test of the repository talks to a server started this way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './temp.js';

/** Options of {@link startServer}. */
export interface StartServerOptions {
  /** Extra arguments after `serve --port 0 --data-dir DIR`; later flags win, so `--port` may be overridden. */
  args?: string[];
  /** Extra environment variables. `CHUTE_*` variables of the test runner are not inherited. */
  env?: Record<string, string>;
  /** Reuse this data directory (e.g. to restart on the same data); default a new temporary one. */
  dataDir?: string;
  /** Written to a temporary `chute.json` and passed with `--config`. */
  config?: object;
  /** How long to wait for the listening line before giving up; default 30 s. */
  startTimeoutMs?: number;
}

/** A running `chute serve` child process. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  dataDir: string;
  proc: ChildProcess;
  /** Everything the process printed so far on stdout. */
  stdout(): string;
  /** Everything the process printed so far on stderr. */
  stderr(): string;
  /** Resolves with the exit code once the process has exited (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Sends SIGTERM and resolves with the exit code; SIGKILLs after 20 s and then resolves null. */
  stop(): Promise<number | null>;
  /** Sends SIGKILL (a crash) and resolves once the process is gone. */
  kill(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository root: tsx and the workspace packages resolve from here. */
export const repoRoot = path.resolve(here, '../../../..');
/** The CLI entry point, run from source through tsx. */
export const cliMain = path.resolve(here, '../../src/cli/main.ts');

const stopGraceMs = 20_000;
const listeningLine = /chute listening on (http:\/\/(\S+):(\d+))/;

/** Node arguments that run the CLI from TypeScript source (shared with CLI tests that spawn `chute`). */
export function cliCommand(args: string[]): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: ['--conditions=development', '--import', 'tsx', cliMain, ...args],
  };
}

/** Copies the environment without the runner's own CHUTE_* variables, so tests are reproducible. */
function cleanEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CHUTE_')) env[k] = v;
  return { ...env, ...extra };
}

/** Spawns `chute serve` and resolves when it listens; rejects with its output if it exits or times out first. */
export async function startServer(opts: StartServerOptions = {}): Promise<RunningServer> {
  const dataDir = opts.dataDir ?? tempDir().path;
  const args = ['serve', '--port', '0', '--data-dir', dataDir];
  if (opts.config !== undefined) {
    const configDir = tempDir('chute-config-').path;
    const configPath = path.join(configDir, 'chute.json');
    fs.writeFileSync(configPath, JSON.stringify(opts.config, null, 2));
    args.push('--config', configPath);
  }
  args.push(...(opts.args ?? []));

  const cmd = cliCommand(args);
  const proc = spawn(cmd.command, cmd.args, {
    cwd: repoRoot,
    env: cleanEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));

  const listening = await new Promise<{ url: string; port: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`chute serve did not print its listening line within ${opts.startTimeoutMs ?? 30_000} ms\nstdout:\n${out}\nstderr:\n${err}`));
    }, opts.startTimeoutMs ?? 30_000);
    const onData = (): void => {
      const m = listeningLine.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      proc.stdout.off('data', onData);
      resolve({ url: m[1]!, port: Number(m[3]) });
    };
    proc.stdout.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`chute serve exited with code ${code} before listening\nstdout:\n${out}\nstderr:\n${err}`));
    });
  });

  const stop = async (): Promise<number | null> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), stopGraceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  const kill = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
  };

  return { ...listening, dataDir, proc, stdout: () => out, stderr: () => err, exited, stop, kill };
}

/** What {@link callApi} returns: status, headers and the parsed JSON body (undefined when empty). */
export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * One HTTP request with a JSON body (or raw bytes) to a server under test; the response body is
 * parsed as JSON when there is one. Bounded by a timeout so that no test can hang on it.
 */
// Tests read deep into JSON answers; `any` keeps them readable, and a wrong guess fails the assertion.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function callApi<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  opts: { json?: unknown; raw?: Uint8Array | string; headers?: Record<string, string>; token?: string; timeoutMs?: number } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | Uint8Array | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.raw !== undefined) {
    headers['content-type'] ??= 'application/octet-stream';
    body = opts.raw;
  }
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(baseUrl + path, { method, headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text === '' ? undefined : JSON.parse(text)) as T };
}
