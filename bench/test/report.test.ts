import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatRatio, formatValue } from '../src/report/format.js';
import { bestValue, chuteRatio } from '../src/report/ratio.js';
import { renderScenarioTable } from '../src/report/render.js';
import { speedChecks, type SpeedCheck } from '../src/report/speed-bar.js';
import type { ResultRow, Tier } from '../src/types.js';

function row(system: string, tier: Tier, isChute: boolean, metrics: Record<string, number | null>, caseLabel = '1 KiB'): ResultRow {
  return { scenario: 1, system, label: system, tier, isChute, caseLabel, caseOrder: 1024, metrics, note: '' };
}

describe('ratio math', () => {
  it('takes the best peer by direction', () => {
    assert.equal(bestValue([3, null, 7, undefined], 'higher'), 7);
    assert.equal(bestValue([3, null, 7], 'lower'), 3);
    assert.equal(bestValue([null], 'higher'), null);
  });

  it('is above 1 when Chute is better, for rates and for latency alike', () => {
    assert.equal(chuteRatio(20, 10, 'higher'), 2);
    assert.equal(chuteRatio(5, 10, 'lower'), 2);
    assert.equal(chuteRatio(20, 10, 'lower'), 0.5);
    assert.equal(chuteRatio(null, 10, 'higher'), null);
    assert.equal(chuteRatio(10, null, 'higher'), null);
    assert.equal(chuteRatio(0, 10, 'lower'), null);
    assert.equal(chuteRatio(100, -717, 'lower'), null, 'a peer whose memory shrank has no ratio');
    assert.equal(bestValue([500, -717], 'lower'), 500, 'a negative figure is left out of the best, not taken as it');
    assert.equal(bestValue([-717], 'lower'), null);
  });

  it('formats figures and ratios', () => {
    assert.equal(formatValue(52341.4, 0), '52,341');
    assert.equal(formatValue(1.234, 2), '1.23');
    assert.equal(formatValue(0.0456, 2), '0.046');
    assert.equal(formatValue(null, 2), '–');
    assert.equal(formatRatio(2.345), '×2.35');
    assert.equal(formatRatio(12.34), '×12.3');
    assert.equal(formatRatio(null), '–');
  });
});

describe('scenario table', () => {
  const rows = [
    row('rabbitmq', 'fsync', false, { publishRate: 8000, consumeRate: 8000, p50Ms: 4, p99Ms: 10, p999Ms: 20 }),
    row('bullmq', 'memory', false, { publishRate: 3000, consumeRate: 1500, p50Ms: 8, p99Ms: 40, p999Ms: 50 }),
    row('chute', 'fsync', true, { publishRate: 64000, consumeRate: 60000, p50Ms: 2, p99Ms: 5, p999Ms: 8 }),
    row('nats', 'page-cache', false, { publishRate: 7000, consumeRate: 7000, p50Ms: 3, p99Ms: 9, p999Ms: 12 }),
    row('chute-memory', 'memory', true, { publishRate: 90000, consumeRate: 80000, p50Ms: 1, p99Ms: 4, p999Ms: 5 }),
  ];
  const table = renderScenarioTable(1, rows);
  const lines = table.split('\n');

  it('groups rows by tier, Chute first, and follows each Chute row with its ratio to the best peer of that tier', () => {
    const systems = lines.slice(2).map((l) => l.split('|')[3]?.trim());
    assert.deepEqual(systems, ['chute', 'rabbitmq', '**chute ÷ best peer**', 'nats', 'chute-memory', 'bullmq', '**chute-memory ÷ best peer**']);
  });

  it('computes the ratios against the same tier only', () => {
    const durable = lines.find((l) => l.includes('**chute ÷ best peer**')) ?? '';
    // 64,000 / 8,000 publish, 60,000 / 8,000 end to end, 4/2 p50, 10/5 p99, 20/8 p99.9
    assert.match(durable, /\| ×8\.00 \| ×7\.50 \| ×2\.00 \| ×2\.00 \| ×2\.50 \|/);
    const memory = lines.find((l) => l.includes('**chute-memory ÷ best peer**')) ?? '';
    assert.match(memory, /\| ×30\.0 \| ×53\.3 \| ×8\.00 \| ×10\.0 \| ×10\.0 \|/);
  });

  it('says so when a tier has no measured peer, and shows a missing system', () => {
    const t = renderScenarioTable(1, [
      row('chute', 'fsync', true, { consumeRate: 1 }),
      { ...row('rabbitmq', 'fsync', false, {}), caseLabel: '–', caseOrder: -1, note: 'missing: connect ECONNREFUSED' },
    ]);
    assert.match(t, /missing: connect ECONNREFUSED/);
    assert.match(t, /no measured peer in this tier/);
  });
});

describe('speed bar', () => {
  it('passes, fails or reports not measured', () => {
    const rows: ResultRow[] = [
      row('chute', 'fsync', true, { consumeRate: 60000 }),
      row('rabbitmq', 'fsync', false, { consumeRate: 40000 }),
      { ...row('chute', 'fsync', true, { p99Ms: 12 }, '1 KiB @ 50%'), scenario: 2 },
    ];
    const checks = speedChecks(rows);
    const verdict = (prefix: string): string | undefined => checks.find((c) => c.bar.startsWith(prefix))?.verdict;
    assert.equal(verdict('S1, 1 KiB, durable: ≥ 50,000'), 'pass');
    assert.equal(verdict('S1, 1 KiB, durable: ≥ RabbitMQ'), 'pass');
    assert.equal(verdict('S1, 1 KiB, durable (goal)'), 'fail');
    assert.equal(verdict('S2'), 'fail');
    assert.equal(verdict('S4: serving'), 'not measured');
  });

  it('gives no memory verdict when the backlog was too small to tell the growth from the heap\'s swings', () => {
    const s3 = (metrics: Record<string, number>): ResultRow => ({ ...row('chute', 'fsync', true, metrics, '1 KiB × 50,000'), scenario: 3 });
    const memory = (rows: ResultRow[]): string | undefined => speedChecks(rows).find((c) => c.bar.startsWith('S3: ≤ 200'))?.verdict;
    assert.equal(memory([s3({ anonBytesPerAddedMessage: 150, memoryWithinNoise: 0 })]), 'pass');
    assert.equal(memory([s3({ anonBytesPerAddedMessage: 417, memoryWithinNoise: 0 })]), 'fail');
    assert.equal(memory([s3({ anonBytesPerAddedMessage: 417, memoryWithinNoise: 1 })]), 'not measured');
    assert.match(speedChecks([s3({ anonBytesPerAddedMessage: 417, memoryWithinNoise: 1 })]).find((c) => c.bar.startsWith('S3: ≤ 200'))?.measured ?? '', /within the noise of a collected heap/);
  });

  it('gives no verdict on a phase cut short, nor on scenarios 3 and 4 with less than their 1,000,000 messages', () => {
    const full = { backlog: 1_000_000, complete: 1 };
    const rows = (s1: Record<string, number>, s3: Record<string, number>, s4: Record<string, number>): ResultRow[] => [
      row('chute', 'fsync', true, { consumeRate: 60000, ...s1 }),
      { ...row('chute', 'fsync', true, { fillRate: 100, drainRate: 200, anonBytesPerAddedMessage: 100, memoryWithinNoise: 0, ...s3 }, 'backlog'), scenario: 3 },
      { ...row('chute', 'fsync', true, { servingAfterMs: 900, recovered: 10, confirmedBefore: 10, ...s4 }, 'restart'), scenario: 4 },
    ];
    const verdicts = (r: ResultRow[]) => {
      const checks = speedChecks(r);
      return (prefix: string): string => {
        const c = checks.find((k) => k.bar.startsWith(prefix));
        return c === undefined ? '' : `${c.verdict}: ${c.measured}`;
      };
    };
    const bars = ['S1, 1 KiB, durable: ≥ 50,000', 'S3: drain', 'S3: ≤ 200', 'S4: serving'];
    const whole = verdicts(rows({ complete: 1 }, full, full));
    for (const bar of bars) assert.match(whole(bar), /^pass/, bar);
    const cut = verdicts(rows({ complete: 0 }, { ...full, complete: 0 }, { ...full, complete: 0 }));
    for (const bar of bars) assert.match(cut(bar), /^not measured: .*cut short/, bar);
    assert.match(cut('S4: every confirmed'), /^pass/, 'confirmed messages that came back are judged on any fill');
    const small = verdicts(rows({ complete: 1 }, { backlog: 50_000, complete: 1 }, { backlog: 50_000, complete: 1 }));
    assert.match(small('S3: drain'), /^not measured: .*a backlog of 50,000: the bar is for 1,000,000/);
    assert.match(small('S4: serving'), /^not measured: .*a backlog of 50,000/);
    const nothing = verdicts(rows({ complete: 1 }, full, { ...full, recovered: 0, confirmedBefore: 0 }));
    assert.match(nothing('S4: every confirmed'), /^not measured/, 'nothing confirmed proves nothing');
  });

  it('compares with no peer whose scenario 1 was cut short', () => {
    const rows = (rabbitComplete: number): ResultRow[] => [
      row('chute', 'fsync', true, { consumeRate: 60000, complete: 1 }),
      row('rabbitmq', 'fsync', false, { consumeRate: 20000, complete: rabbitComplete }),
    ];
    const find = (r: ResultRow[], prefix: string): SpeedCheck | undefined => speedChecks(r).find((c) => c.bar.startsWith(prefix));
    assert.equal(find(rows(1), 'S1, 1 KiB, durable: ≥ RabbitMQ')?.verdict, 'pass');
    assert.equal(find(rows(1), 'S1, 1 KiB, durable (goal)')?.verdict, 'pass');
    assert.equal(find(rows(0), 'S1, 1 KiB, durable: ≥ RabbitMQ')?.verdict, 'not measured');
    assert.match(find(rows(0), 'S1, 1 KiB, durable: ≥ RabbitMQ')?.measured ?? '', /RabbitMQ cut short/);
    assert.equal(find(rows(0), 'S1, 1 KiB, durable (goal)')?.verdict, 'not measured');
    assert.equal(find(rows(0), 'S1, 1 KiB, durable: ≥ 50,000')?.verdict, 'pass', "Chute's own bar stands");
  });

  it('judges the latency at 50% load only on a whole schedule of enough messages, and fails a system that fell behind', () => {
    const s2 = (metrics: Record<string, number>): ResultRow[] => [{ ...row('chute', 'fsync', true, metrics, '1 KiB @ 50%'), scenario: 2 }];
    const bar = (metrics: Record<string, number>): SpeedCheck | undefined => speedChecks(s2(metrics)).find((c) => c.bar.startsWith('S2'));
    const whole = { p99Ms: 3, delivered: 100_000, keptUp: 1, failed: 0 };
    assert.equal(bar(whole)?.verdict, 'pass');
    assert.equal(bar({ ...whole, p99Ms: 12 })?.verdict, 'fail');
    assert.equal(bar({ ...whole, keptUp: 0 })?.verdict, 'fail');
    assert.match(bar({ ...whole, keptUp: 0 })?.measured ?? '', /could not keep to the schedule/);
    assert.equal(bar({ ...whole, delivered: 171 })?.verdict, 'not measured');
    assert.match(bar({ ...whole, delivered: 171 })?.measured ?? '', /only 171 messages/);
    assert.equal(bar({ ...whole, failed: 1, keptUp: 0 })?.verdict, 'not measured');
    assert.match(bar({ ...whole, failed: 1 })?.measured ?? '', /ended by an error/);
  });
});
