/**
 * Starts `chute serve` as a child process on a free port with its own data directory, the way a
 * user would run it, and stops or kills it. The benchmark never measures a broker inside its own
 * process: the broker gets its own event loop, heap and RSS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withTimeout } from './pump.js';

/** Root of the repository (bench/src/ is two levels down). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The server's command-line entry point in its sources, run through tsx. */
export const chuteMainSource = fileURLToPath(new URL('../../packages/server/src/cli/main.ts', import.meta.url));

/** The compiled entry point written by `npm run build`, which is what an installed `chute` runs. */
export const chuteMainDist = fileURLToPath(new URL('../../packages/server/dist/cli/main.js', import.meta.url));

/** Where `chute serve` is run from. */
export type ChuteFrom = 'src' | 'dist';

/**
 * Node arguments that run the `chute` command from `from`, with the node flags of the command's
 * first line as the installed `chute` gets them; throws when dist/ is missing or older than src/.
 */
export function chuteCommand(from: ChuteFrom): string[] {
  if (from === 'src') return [...nodeFlagsOf(chuteMainSource), '--conditions=development', '--import', 'tsx', chuteMainSource];
  if (!existsSync(chuteMainDist)) throw new Error(`${chuteMainDist} does not exist: run npm run build first`);
  // tsc -b rewrites only changed outputs but always touches the build info of a package it built.
  const stale = ['server', 'client'].flatMap((pkg) => {
    const info = join(repoRoot, 'packages', pkg, 'tsconfig.tsbuildinfo');
    const built = existsSync(info) ? statSync(info).mtimeMs : 0;
    return newerFiles(join(repoRoot, 'packages', pkg, 'src'), built);
  });
  if (stale.length > 0) throw new Error(`the build is older than ${stale[0]} (and ${stale.length - 1} more): run npm run build first`);
  return [...nodeFlagsOf(chuteMainDist), chuteMainDist];
}

/** The node flags of a script whose first line is `#!/usr/bin/env -S node FLAGS` (none for another first line). */
export function nodeFlagsOf(script: string): string[] {
  return nodeFlagsOfShebang(readFileSync(script, 'utf8').split('\n', 1)[0] ?? '');
}

/** The flags of a `#!/usr/bin/env -S node FLAGS` line (none for another line). */
export function nodeFlagsOfShebang(line: string): string[] {
  const m = /^#!\/usr\/bin\/env -S node((?: +\S+)*)$/.exec(line);
  return m === null ? [] : (m[1] ?? '').split(' ').filter((f) => f !== '');
}

function newerFiles(dir: string, thanMs: number): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...newerFiles(p, thanMs));
    else if (statSync(p).mtimeMs > thanMs) out.push(p);
  }
  return out;
}

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
export async function startChute(dataDir: string, from: ChuteFrom, port = 0): Promise<ChuteProcess> {
  const extra = (process.env[brokerNodeArgsEnv] ?? '').split(/\s+/).filter((a) => a !== '');
  const proc = spawn(
    process.execPath,
    [...extra, ...chuteCommand(from), 'serve', '--port', String(port), '--data-dir', dataDir],
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
