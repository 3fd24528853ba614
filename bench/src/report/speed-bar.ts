/**
 * The speed bar (docs/benchmarks.md, "The speed bar"), checked against a run's rows. Each check
 * passes, fails, or says it was not measured (scenario not run, Chute missing, or a figure too
 * noisy to judge).
 */
import type { ResultRow, ScenarioId } from '../types.js';
import { formatValue } from './format.js';

/** Id of Chute's durable driver, the one the speed bar is about. */
export const chuteDurableId = 'chute';

/** The backlog of scenarios 3 and 4 as issue 4 defines them. */
const fullBacklog = 1_000_000;

/** Fewer delivered messages than this give a p99 of a handful of samples: no verdict from it. */
const minLatencySamples = 1000;

/** Outcome of one check. */
export interface SpeedCheck {
  bar: string;
  measured: string;
  verdict: 'pass' | 'fail' | 'not measured';
}

function metric(rows: ResultRow[], scenario: ScenarioId, system: string, caseLabel: string | null, key: string): number | null {
  const row = rows.find((r) => r.scenario === scenario && r.system === system && (caseLabel === null || r.caseLabel === caseLabel));
  const v = row?.metrics[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function check(bar: string, measured: string, ok: boolean | null): SpeedCheck {
  return { bar, measured, verdict: ok === null ? 'not measured' : ok ? 'pass' : 'fail' };
}

/** Evaluates every check of the speed bar. */
export function speedChecks(rows: ResultRow[]): SpeedCheck[] {
  const c = chuteDurableId;
  const s1 = metric(rows, 1, c, '1 KiB', 'consumeRate');
  const rabbit = metric(rows, 1, 'rabbitmq', '1 KiB', 'consumeRate');
  const rabbitCut = metric(rows, 1, 'rabbitmq', '1 KiB', 'complete') === 0;
  const durablePeerRows = rows.filter((r) => r.scenario === 1 && r.caseLabel === '1 KiB' && r.tier === 'fsync' && !r.isChute);
  const durablePeers = durablePeerRows.map((r) => r.metrics.consumeRate).filter((v): v is number => typeof v === 'number');
  const bestDurable = durablePeers.length > 0 ? Math.max(...durablePeers) : null;
  // A peer cut short may have been the best one: the comparison with the best has no verdict then.
  const durablePeerCut = durablePeerRows.some((r) => r.metrics.complete === 0);
  const p99 = metric(rows, 2, c, '1 KiB @ 50%', 'p99Ms');
  const s2Error = metric(rows, 2, c, '1 KiB @ 50%', 'failed') === 1;
  const s2KeptUp = metric(rows, 2, c, '1 KiB @ 50%', 'keptUp') !== 0;
  const s2Delivered = metric(rows, 2, c, '1 KiB @ 50%', 'delivered');
  const s2TooFew = s2Delivered !== null && s2Delivered < minLatencySamples;
  const perMsg = metric(rows, 3, c, null, 'anonBytesPerMessage');
  const perAddedMsg = metric(rows, 3, c, null, 'anonBytesPerAddedMessage');
  const rssPerMsg = metric(rows, 3, c, null, 'bytesPerMessage');
  // A small backlog's growth is within the swings of a collected heap: no verdict from it.
  const memoryNoise = metric(rows, 3, c, null, 'memoryWithinNoise') === 1;
  const fill = metric(rows, 3, c, null, 'fillRate');
  const drain = metric(rows, 3, c, null, 'drainRate');
  const serving = metric(rows, 4, c, null, 'servingAfterMs');
  const confirmed = metric(rows, 4, c, null, 'confirmedBefore');
  const recovered = metric(rows, 4, c, null, 'recovered');
  const f0 = (v: number | null): string => formatValue(v, 0);
  // A phase that stopped at its time limit or failed measured part of the run: no verdict from it.
  const s1Cut = metric(rows, 1, c, '1 KiB', 'complete') === 0;
  const s3Cut = metric(rows, 3, c, null, 'complete') === 0;
  const s4Cut = metric(rows, 4, c, null, 'complete') === 0;
  // Scenarios 3 and 4 are defined on a backlog of 1,000,000 messages; a smaller one is a trial run.
  const s3Backlog = metric(rows, 3, c, null, 'backlog');
  const s4Backlog = metric(rows, 4, c, null, 'backlog');
  const s3Small = s3Backlog !== null && s3Backlog < fullBacklog;
  const s4Small = s4Backlog !== null && s4Backlog < fullBacklog;
  const cut = (yes: boolean): string => (yes ? ' (cut short: see the scenario\'s notes)' : '');
  const small = (yes: boolean, backlog: number | null): string => (yes ? ` (a backlog of ${f0(backlog)}: the bar is for ${f0(fullBacklog)})` : '');
  const judged = (ok: boolean | null, ...unless: boolean[]): boolean | null => (unless.some((u) => u) ? null : ok);
  return [
    check('S1, 1 KiB, durable: ≥ 50,000 msg/s end to end', `${f0(s1)} msg/s${cut(s1Cut)}`, judged(s1 === null ? null : s1 >= 50_000, s1Cut)),
    check(
      'S1, 1 KiB, durable: ≥ RabbitMQ in the same run',
      `${f0(s1)} vs ${f0(rabbit)} msg/s${cut(s1Cut)}${rabbitCut ? ' (RabbitMQ cut short: see its notes)' : ''}`,
      judged(s1 === null || rabbit === null ? null : s1 >= rabbit, s1Cut, rabbitCut),
    ),
    check(
      'S1, 1 KiB, durable (goal): ≥ 2 × best durable peer',
      `${f0(s1)} vs 2 × ${f0(bestDurable)} msg/s${cut(s1Cut)}${durablePeerCut ? ' (a durable peer cut short: see its notes)' : ''}`,
      judged(s1 === null || bestDurable === null ? null : s1 >= 2 * bestDurable, s1Cut, durablePeerCut),
    ),
    check(
      'S2, 1 KiB at 50% load: p99 ≤ 10 ms',
      `${formatValue(p99, 2)} ms${s2Error ? ' (ended by an error: see the scenario\'s notes)' : ''}${s2TooFew ? ` (only ${f0(s2Delivered)} messages: a p99 needs ${f0(minLatencySamples)})` : ''}${s2KeptUp ? '' : ' (could not keep to the schedule: see the scenario\'s notes)'}`,
      // A system that could not carry the load fails, whatever the latency of what it delivered.
      judged(p99 === null ? null : p99 <= 10 && s2KeptUp, s2Error, s2TooFew),
    ),
    check(
      'S3: ≤ 200 bytes per queued message (anonymous memory of one more message: bodies stay in the data file, whose mapped pages are page cache)',
      `${f0(perAddedMsg)} B per added message; average over the fill ${f0(perMsg)} B anonymous, ${f0(rssPerMsg)} B counting mapped file pages${memoryNoise ? ' (within the noise of a collected heap: see the scenario\'s notes)' : ''}${cut(s3Cut)}`,
      judged(perAddedMsg === null ? null : perAddedMsg <= 200, memoryNoise, s3Cut),
    ),
    check(
      'S3: drain at least as fast as fill',
      `drain ${f0(drain)} vs fill ${f0(fill)} msg/s${cut(s3Cut)}${small(s3Small, s3Backlog)}`,
      judged(drain === null || fill === null ? null : drain >= fill, s3Cut, s3Small),
    ),
    check('S4: serving again within 5 s', `${f0(serving)} ms${cut(s4Cut)}${small(s4Small, s4Backlog)}`, judged(serving === null ? null : serving <= 5000, s4Cut, s4Small)),
    check(
      'S4: every confirmed message survives kill -9',
      // Lost or only slow, a message not back within the phase's time limit fails the bar.
      `${f0(recovered)} of ${f0(confirmed)} back within the time limit`,
      recovered === null || confirmed === null || confirmed === 0 ? null : recovered >= confirmed,
    ),
  ];
}

/** Renders the checks as a markdown table. */
export function renderSpeedBar(rows: ResultRow[]): string {
  const lines = ['| bar | measured (Chute, durable) | result |', '| --- | --- | --- |'];
  for (const s of speedChecks(rows)) lines.push(`| ${s.bar} | ${s.measured} | ${s.verdict} |`);
  return lines.join('\n');
}
