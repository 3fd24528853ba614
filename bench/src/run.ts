/**
 * Runs the selected scenarios against each system in turn (never two systems at once, so they
 * do not compete for the machine). A system that cannot connect is reported as missing in every
 * table; a scenario that fails reports its error in its row and the run goes on.
 */
import { probeCpu } from './machine.js';
import type { SystemInfo } from './report/render.js';
import { withTimeout } from './pump.js';
import { runBacklog } from './scenarios/backlog.js';
import { errorText, makeRow, type RunContext } from './scenarios/context.js';
import { runFanout } from './scenarios/fanout.js';
import { runLatency } from './scenarios/latency.js';
import { runRestart } from './scenarios/restart.js';
import { runThroughput } from './scenarios/throughput.js';
import type { Driver, ResultRow, ScenarioId } from './types.js';

/** How long connecting to a system (or starting it) may take. */
const connectTimeoutMs = 60_000;

type ScenarioRunner = (driver: Driver, ctx: RunContext) => Promise<ResultRow[]>;

const runners: Record<ScenarioId, ScenarioRunner> = {
  1: runThroughput,
  2: runLatency,
  3: runBacklog,
  4: runRestart,
  5: runFanout,
};

/** Results of every system. */
export interface RunOutcome {
  systems: SystemInfo[];
  rows: ResultRow[];
}

/** Runs `scenarios` against every driver; `scenarios` must already include 1 when 2 is asked for. */
export async function runAll(drivers: Driver[], scenarios: ScenarioId[], ctx: RunContext): Promise<RunOutcome> {
  const systems: SystemInfo[] = [];
  const rows: ResultRow[] = [];
  for (const driver of drivers) {
    ctx.log(`${driver.id}: connecting`);
    const info: SystemInfo = { id: driver.id, label: driver.label, tier: driver.tier, isChute: driver.isChute, setup: driver.setup, missing: null };
    systems.push(info);
    try {
      await withTimeout(driver.connect(), connectTimeoutMs, `connecting to ${driver.id}`);
    } catch (e) {
      info.missing = errorText(e);
      ctx.log(`${driver.id}: missing (${info.missing})`);
      for (const s of scenarios) rows.push(makeRow(driver, s, '–', -1, {}, [`missing: ${info.missing}`]));
      await driver.close().catch(() => undefined);
      continue;
    }
    info.label = driver.label;
    info.setup = driver.setup;
    // Taken with the system connected but idle, so that a slow stretch of the machine shows next
    // to the figures it slowed down.
    info.cpuCheckMs = probeCpu();
    try {
      for (const s of scenarios) {
        const started = performance.now();
        try {
          rows.push(...(await runners[s](driver, ctx)));
        } catch (e) {
          rows.push(makeRow(driver, s, '–', -1, {}, [`failed: ${errorText(e)}`]));
        }
        ctx.log(`${driver.id}: scenario ${s} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      }
    } finally {
      await driver.close().catch((e: unknown) => ctx.log(`${driver.id}: close failed: ${errorText(e)}`));
    }
  }
  return { systems, rows };
}
