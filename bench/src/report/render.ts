/**
 * Markdown rendering of a run: the machine header, the legend of systems and tiers, one table per
 * scenario with rows grouped by tier and Chute's ratio to the best peer of its tier, and the
 * speed-bar check.
 */
import type { MachineInfo } from '../machine.js';
import type { ResultRow, ScenarioId, Tier } from '../types.js';
import { cell, formatRatio, formatValue } from './format.js';
import { scenarioDefs, tierNames, tierOrder } from './metrics.js';
import { bestValue, chuteRatio } from './ratio.js';
import { renderSpeedBar } from './speed-bar.js';

/** One system of the run, measured or missing. */
export interface SystemInfo {
  id: string;
  label: string;
  tier: Tier;
  isChute: boolean;
  setup: string;
  /** Why it could not be measured, or null. */
  missing: string | null;
  /** The CPU check (machine.ts probeCpu) taken just before its scenarios, ms. */
  cpuCheckMs?: number;
}

/** Everything a report is made of. */
export interface ReportInput {
  startedAt: Date;
  finishedAt: Date;
  /** The command line that produced it. */
  command: string;
  machine: MachineInfo;
  systems: SystemInfo[];
  scenarios: ScenarioId[];
  rows: ResultRow[];
}

function compareRows(a: ResultRow, b: ResultRow): number {
  return (
    a.caseOrder - b.caseOrder ||
    tierOrder.indexOf(a.tier) - tierOrder.indexOf(b.tier) ||
    Number(b.isChute) - Number(a.isChute) ||
    a.label.localeCompare(b.label)
  );
}

/** Renders one scenario's table (without its heading). */
export function renderScenarioTable(scenario: ScenarioId, rows: ResultRow[]): string {
  const def = scenarioDefs[scenario];
  const mine = rows.filter((r) => r.scenario === scenario).sort(compareRows);
  const header = ['case', 'tier', 'system', ...def.metrics.map((m) => m.title), 'notes'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i >= 3 && i < header.length - 1 ? ' ---: ' : ' --- ')).join('|')}|`];
  const row = (cells: string[]): void => {
    lines.push(`| ${cells.map(cell).join(' | ')} |`);
  };
  for (let i = 0; i < mine.length; i++) {
    const r = mine[i];
    if (r === undefined) continue;
    row([r.caseLabel, tierNames[r.tier], r.label, ...def.metrics.map((m) => formatValue(r.metrics[m.key], m.digits)), r.note]);
    const next = mine[i + 1];
    const groupEnds = next === undefined || next.caseOrder !== r.caseOrder || next.tier !== r.tier;
    if (!groupEnds) continue;
    const group = mine.filter((g) => g.caseOrder === r.caseOrder && g.tier === r.tier);
    const peers = group.filter((g) => !g.isChute);
    for (const chute of group.filter((g) => g.isChute)) {
      const measuredPeers = peers.filter((p) => def.metrics.some((m) => typeof p.metrics[m.key] === 'number'));
      if (measuredPeers.length === 0) {
        row(['', '', `${chute.label} ÷ best peer`, ...def.metrics.map(() => '–'), 'no measured peer in this tier']);
        continue;
      }
      const ratios = def.metrics.map((m) =>
        m.ratio ? formatRatio(chuteRatio(chute.metrics[m.key], bestValue(peers.map((p) => p.metrics[m.key]), m.better), m.better)) : '–',
      );
      row(['', '', `**${chute.label} ÷ best peer**`, ...ratios, `best of: ${measuredPeers.map((p) => p.label).join(', ')}; above ×1 = Chute better`]);
    }
  }
  return lines.join('\n');
}

/** Renders the machine header; `systems` give the CPU checks taken between them. */
export function renderMachine(m: MachineInfo, systems: readonly SystemInfo[] = []): string {
  const checks = [`${formatValue(m.cpuCheckStartMs, 1)} at the start`];
  for (const s of systems) if (s.cpuCheckMs !== undefined) checks.push(`${formatValue(s.cpuCheckMs, 1)} before ${s.label}`);
  if (m.cpuCheckEndMs !== undefined) checks.push(`${formatValue(m.cpuCheckEndMs, 1)} at the end`);
  return [
    `- CPU: ${m.cores} cores, ${m.cpuModel}; memory ${m.memoryGiB} GiB; ${m.os}; Node.js ${m.node}`,
    `- Harness: one Node.js process runs every system's client, with node ${m.harnessNodeFlags.length === 0 ? 'given no flags' : `\`${m.harnessNodeFlags.join(' ')}\``}`,
    `- Disk: 4 KiB write + fsync in \`${m.fsyncDir}\`: p50 ${formatValue(m.fsyncP50Ms, 3)} ms, p99 ${formatValue(m.fsyncP99Ms, 3)} ms, max ${formatValue(m.fsyncMaxMs, 3)} ms (${formatValue(m.fsyncPerSec, 0)} fsyncs/s, one writer)`,
    `- CPU check, ms (one fixed single-threaded JavaScript workload, median of 5; the same machine reads about the same when quiet, higher when its cores are slower or shared): ${checks.join(', ')}`,
  ].join('\n');
}

/** Renders the systems legend: tier and setup of each, and which are missing. */
export function renderSystems(systems: SystemInfo[]): string {
  const lines = ['| system | tier | setup |', '| --- | --- | --- |'];
  for (const s of [...systems].sort((a, b) => tierOrder.indexOf(a.tier) - tierOrder.indexOf(b.tier))) {
    const setup = s.missing === null ? s.setup : `**missing**: ${s.missing}`;
    lines.push(`| ${cell(s.label)} | ${tierNames[s.tier]} | ${cell(setup)} |`);
  }
  return lines.join('\n');
}

/** Renders a whole report. */
export function renderReport(input: ReportInput): string {
  const minutes = (input.finishedAt.getTime() - input.startedAt.getTime()) / 60_000;
  const parts = [
    `# Chute benchmark, ${input.startedAt.toISOString()}`,
    '',
    `Command: \`${input.command}\` (${minutes.toFixed(1)} min)`,
    '',
    renderMachine(input.machine, input.systems),
    '',
    'Durability tiers are never compared with each other: rows are grouped by tier, and each Chute row is followed by its ratio to the best peer of the same tier (above ×1 means Chute is better: rates are Chute ÷ peer, latency and memory are peer ÷ Chute).',
    '',
    renderSystems(input.systems),
  ];
  for (const s of input.scenarios) {
    const def = scenarioDefs[s];
    parts.push('', `## ${def.title}`, '', def.measures, '', renderScenarioTable(s, input.rows));
  }
  parts.push('', '## Speed bar', '', renderSpeedBar(input.rows), '');
  return parts.join('\n');
}
