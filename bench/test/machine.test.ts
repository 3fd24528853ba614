import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chuteCommand, chuteMainSource, nodeFlagsOf, nodeFlagsOfShebang } from '../src/chute-process.js';
import { probeCpu, type MachineInfo } from '../src/machine.js';
import { renderMachine, type SystemInfo } from '../src/report/render.js';

const machine: MachineInfo = {
  cores: 2,
  cpuModel: 'Test CPU',
  memoryGiB: 24,
  os: 'Linux 6 x64',
  node: 'v20.0.0',
  harnessNodeFlags: ['--initial-old-space-size=256', '--import', 'tsx'],
  fsyncDir: '/tmp/x',
  fsyncP50Ms: 0.2,
  fsyncP99Ms: 0.7,
  fsyncMaxMs: 0.9,
  fsyncPerSec: 4000,
  cpuCheckStartMs: 18.04,
};

function system(label: string, cpuCheckMs: number | undefined): SystemInfo {
  const s: SystemInfo = { id: label, label, tier: 'fsync', isChute: false, setup: '', missing: null };
  if (cpuCheckMs !== undefined) s.cpuCheckMs = cpuCheckMs;
  return s;
}

describe('machine header', () => {
  it('times the CPU check as a positive, finite median', () => {
    const ms = probeCpu(3);
    assert.ok(Number.isFinite(ms) && ms > 0, `got ${ms}`);
  });

  it('lists the CPU checks in run order, skipping systems that never connected', () => {
    const text = renderMachine({ ...machine, cpuCheckEndMs: 25.55 }, [system('Chute (durable)', 18.4), system('RabbitMQ', undefined), system('NATS', 30)]);
    const line = text.split('\n').find((l) => l.startsWith('- CPU check'));
    assert.ok(line !== undefined, text);
    assert.match(line, /: 18\.0 at the start, 18\.4 before Chute \(durable\), 30\.0 before NATS, 25\.6 at the end$/);
  });

  it('names the node flags of the harness process', () => {
    assert.match(renderMachine(machine), /^- Harness: .* with node `--initial-old-space-size=256 --import tsx`$/m);
    assert.match(renderMachine({ ...machine, harnessNodeFlags: [] }), /^- Harness: .* with node given no flags$/m);
  });

  it('shows only the start check until the run is over', () => {
    const line = renderMachine(machine).split('\n').at(-1) ?? '';
    assert.match(line, /: 18\.0 at the start$/);
  });
});

describe('node flags of the broker', () => {
  it('reads them from a #!/usr/bin/env -S node line, and none from another line', () => {
    assert.deepEqual(nodeFlagsOfShebang('#!/usr/bin/env -S node --initial-old-space-size=256 --foo'), ['--initial-old-space-size=256', '--foo']);
    assert.deepEqual(nodeFlagsOfShebang('#!/usr/bin/env node'), []);
    assert.deepEqual(nodeFlagsOfShebang('/** a comment */'), []);
  });

  it('the harness starts the broker with the flags of its command, from the sources too', () => {
    const args = chuteCommand('src');
    assert.deepEqual(args.slice(0, nodeFlagsOf(chuteMainSource).length), nodeFlagsOf(chuteMainSource));
    assert.ok(nodeFlagsOf(chuteMainSource).includes('--initial-old-space-size=256'));
  });
});
