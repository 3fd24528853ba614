/**
 * Running the `chute` command from the CLI end-to-end tests: the real entry point from source,
 * in a child process, with a clean environment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cliCommand, repoRoot } from '../support/server-process.js';

/** What a finished `chute` run printed and how it exited. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of a CLI run. */
export interface CliRunOptions {
  /** Written to stdin, which is then closed; stdin is empty when absent. */
  input?: string | Buffer;
  /** Extra environment variables (CHUTE_* of the test runner are not inherited). */
  env?: Record<string, string>;
  /** Killed after this long; default 60 s (a loaded CI machine starts processes slowly). */
  timeoutMs?: number;
}

function cleanEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CHUTE_')) env[k] = v;
  return { ...env, ...extra };
}

/** Starts `chute ARGS` and returns the process, stdout and stderr as text. */
export function spawnCli(args: string[], options: CliRunOptions = {}): ChildProcess {
  const cmd = cliCommand(args);
  const child = spawn(cmd.command, cmd.args, { cwd: repoRoot, env: cleanEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  return child;
}

/** Runs `chute ARGS` to completion. */
export async function runCli(args: string[], options: CliRunOptions = {}): Promise<CliResult> {
  const child = spawnCli(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: string) => (stdout += d));
  child.stderr?.on('data', (d: string) => (stderr += d));
  child.stdin?.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
