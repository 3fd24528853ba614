/**
 * `npm run bench -- [options]`: measures Chute and its peers in one run on this machine and
 * writes a markdown report to bench/results/<timestamp>.md (raw rows as JSON under raw/), then
 * prints it. Progress goes to stderr.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, usage, type BenchOptions } from './args.js';
import { chuteCommand } from './chute-process.js';
import { buildDrivers } from './drivers/registry.js';
import { describeMachine, probeCpu } from './machine.js';
import { renderReport } from './report/render.js';
import { runAll } from './run.js';
import type { RunContext } from './scenarios/context.js';
import type { Driver, ScenarioId } from './types.js';

const benchDir = fileURLToPath(new URL('../', import.meta.url));

function resultsDir(options: BenchOptions): string {
  if (options.outDir === undefined) return resolve(benchDir, 'results');
  if (isAbsolute(options.outDir)) return options.outDir;
  // npm runs the script inside bench/, and from the root's `npm run bench` no variable tells the
  // directory it was typed in (the nested npm sets INIT_CWD to the root): relative to the root.
  return resolve(benchDir, '..', options.outDir);
}

/** Scenario 2 loads each system at fractions of its scenario 1 rate, so it needs scenario 1. */
function withPrerequisites(scenarios: ScenarioId[]): ScenarioId[] {
  return scenarios.includes(2) && !scenarios.includes(1) ? [1, ...scenarios] : scenarios;
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n\n${usage}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (options.chute) {
    // Checked before anything runs: a stale build found only when Chute's turn comes would cost
    // the peers' minutes and end in a report without Chute.
    try {
      chuteCommand(options.chuteFrom);
    } catch (e) {
      process.stderr.write(`--chute-from ${options.chuteFrom}: ${e instanceof Error ? e.message : String(e)}\n`);
      return 2;
    }
  }
  const log = (line: string): void => {
    process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  };
  const startedAt = new Date();
  const workDir = mkdtempSync(join(os.tmpdir(), 'chute-bench-'));
  const drivers: Driver[] = buildDrivers(options, workDir);
  let interrupted = false;
  const onSignal = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('interrupted: stopping the brokers this run started');
    void Promise.allSettled(drivers.map((d) => d.close())).then(() => {
      rmSync(workDir, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    log(`probing fsync latency in ${workDir}`);
    const machine = describeMachine(workDir);
    const scenarios = withPrerequisites(options.scenarios);
    const ctx: RunContext = {
      options,
      runId: `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`,
      endToEndRates: new Map(),
      log,
    };
    const { systems, rows } = await runAll(drivers, scenarios, ctx);
    machine.cpuCheckEndMs = probeCpu();
    const report = renderReport({
      startedAt,
      finishedAt: new Date(),
      command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
      machine,
      systems,
      scenarios,
      rows,
    });
    const dir = resultsDir(options);
    const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
    mkdirSync(join(dir, 'raw'), { recursive: true });
    const file = join(dir, `${stamp}.md`);
    writeFileSync(file, report);
    writeFileSync(join(dir, 'raw', `${stamp}.json`), JSON.stringify({ options, machine, systems, rows }, null, 2));
    process.stdout.write(`${report}\n`);
    log(`written to ${file}`);
    return 0;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

// Exit explicitly: a client library that keeps a socket or timer alive must not keep a finished run open.
process.exit(await main());
