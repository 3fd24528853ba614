/**
 * Starts `chute serve` as a child process on a free port with its own data directory, the way a
 * user would run it, and stops or kills it. The benchmark never measures a broker inside its own
 * process: the broker gets its own event loop, heap and RSS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { withTimeout } from './pump.js';

/** Root of the repository (bench/src/ is two levels down). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The server's command-line entry point, run from source through tsx. */
export const chuteMain = fileURLToPath(new URL('../../packages/server/src/cli/main.ts', import.meta.url));

/** Extra node flags for the broker, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it. */
export const brokerNodeArgsEnv = 'CHUTE_BENCH_NODE_ARGS';

/** How long a start may take before it counts as failed. */
const startTimeoutMs = 60_000;
const listeningLine = /chute listening on (http:\/\/\S+)/;

/** A running broker process. */
export interface ChuteProcess {
  url: string;
  port: number;
  proc: ChildProcess;
  /** Output seen so far (for error messages). */
  output(): string;
}

/** Starts `chute serve --port <port> --data-dir <dataDir>` and resolves once it is listening. */
export async function startChute(dataDir: string, port = 0): Promise<ChuteProcess> {
  const extra = (process.env[brokerNodeArgsEnv] ?? '').split(/\s+/).filter((a) => a !== '');
  const proc = spawn(
    process.execPath,
    ['--conditions=development', '--import', 'tsx', ...extra, chuteMain, 'serve', '--port', String(port), '--data-dir', dataDir],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const listening = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      // Keep only the tail: a long-running broker may log a lot.
      if (output.length > 64 * 1024) output = output.slice(-32 * 1024);
      const m = listeningLine.exec(output);
      if (m?.[1] !== undefined) resolve(m[1]);
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('error', reject);
    proc.once('exit', (code, signal) => reject(new Error(`chute serve exited (${signal ?? code}) before listening: ${output.slice(-2000)}`)));
  });
  try {
    const url = await withTimeout(listening, startTimeoutMs, 'starting chute serve');
    return { url, port: Number(new URL(url).port), proc, output: () => output };
  } catch (e) {
    proc.kill('SIGKILL');
    throw e;
  }
}

/** Resolves when `proc` has exited (at once if it already has). */
export function exited(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => proc.once('exit', () => resolve()));
}

/** Kills with SIGKILL and waits for the exit. */
export async function killHard(proc: ChildProcess): Promise<void> {
  proc.kill('SIGKILL');
  await exited(proc);
}

/** Asks for a clean shutdown (SIGTERM); kills it if it has not exited within `graceMs`. */
export async function stopGracefully(proc: ChildProcess, graceMs = 15_000): Promise<void> {
  proc.kill('SIGTERM');
  try {
    await withTimeout(exited(proc), graceMs, 'chute shutdown');
  } catch {
    await killHard(proc);
  }
}
