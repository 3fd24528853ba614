/**
 * What every scenario receives besides its driver: the options, a unique run id for queue
 * names, and what earlier scenarios measured (scenario 2 loads the system at fractions of the
 * rate scenario 1 found).
 */
import type { BenchOptions } from '../args.js';
import type { Driver, ResultRow, ScenarioId } from '../types.js';

/** Shared state of one benchmark run. */
export interface RunContext {
  options: BenchOptions;
  /** Short unique id of this run; part of every queue, stream and topic name. */
  runId: string;
  /** Scenario 1 end-to-end rate (msg/s) per `system/size`. */
  endToEndRates: Map<string, number>;
  /** Progress lines go here (stderr), so stdout keeps the markdown. */
  log: (line: string) => void;
}

/** A name for a queue or topic that no other run (or other scenario of this run) uses. */
export function resourceName(ctx: RunContext, driver: Driver, scenario: ScenarioId, part: string): string {
  return `bench-${ctx.runId}-${driver.id}-s${scenario}-${part}`;
}

/** Key of endToEndRates. */
export function rateKey(system: string, size: number): string {
  return `${system}/${size}`;
}

/** A result row for `driver` with the given case and metrics. */
export function makeRow(
  driver: Driver,
  scenario: ScenarioId,
  caseLabel: string,
  caseOrder: number,
  metrics: Record<string, number | null>,
  notes: string[] = [],
): ResultRow {
  return {
    scenario,
    system: driver.id,
    label: driver.label,
    tier: driver.tier,
    isChute: driver.isChute,
    caseLabel,
    caseOrder,
    metrics,
    note: notes.filter((n) => n !== '').join('; '),
  };
}

/** Messages per second, or null when nothing was counted. */
export function perSecond(count: number, elapsedMs: number): number | null {
  return count > 0 && elapsedMs > 0 ? (count * 1000) / elapsedMs : null;
}

/** Short text for an error. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
