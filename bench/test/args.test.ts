import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countForSize, formatSize, parseBenchArgs, parseSize } from '../src/args.js';

describe('bench arguments', () => {
  it('defaults to every peer, every scenario and the three sizes of issue 4', () => {
    const o = parseBenchArgs([]);
    assert.deepEqual(o.peers, ['rabbitmq', 'nats', 'bullmq']);
    assert.deepEqual(o.scenarios, [1, 2, 3, 4, 5]);
    assert.deepEqual(o.sizes, [16, 1024, 16384]);
    assert.equal(o.backlogCount, 1_000_000);
    assert.equal(o.chute, true);
    assert.deepEqual(o.loads, [0.1, 0.5, 0.8]);
    assert.equal(o.outDir, undefined, 'bench/results unless --out names a directory');
    assert.equal(parseBenchArgs(['--out', 'results']).outDir, 'results', 'a directory called results is the caller\'s like any other');
  });

  it('reads the documented command line', () => {
    const o = parseBenchArgs(['--peers', 'rabbitmq,nats,bullmq', '--scenario', 'all']);
    assert.deepEqual(o.peers, ['rabbitmq', 'nats', 'bullmq']);
    assert.deepEqual(o.scenarios, [1, 2, 3, 4, 5]);
  });

  it('--quick shrinks counts, and explicit flags still win', () => {
    const quick = parseBenchArgs(['--quick']);
    assert.ok(quick.count < 100_000 && quick.backlogCount < 1_000_000);
    const o = parseBenchArgs(['--quick', '--count', '1234', '--backlog', '1_000']);
    assert.equal(o.count, 1234);
    assert.equal(o.backlogCount, 1000);
  });

  it('parses peers, scenarios and sizes, dropping repeats and sorting', () => {
    const o = parseBenchArgs(['--peers', 'nats,NATS', '--scenario', '5,2,2', '--sizes', '16KiB,16,1k']);
    assert.deepEqual(o.peers, ['nats']);
    assert.deepEqual(o.scenarios, [2, 5]);
    assert.deepEqual(o.sizes, [16, 1024, 16384]);
    assert.deepEqual(parseBenchArgs(['--peers', 'none']).peers, []);
    assert.equal(parseBenchArgs(['--no-chute']).chute, false);
    assert.equal(parseBenchArgs([]).chuteFrom, 'src');
    assert.equal(parseBenchArgs(['--chute-from', 'dist']).chuteFrom, 'dist');
  });

  it('names the flag at fault', () => {
    assert.throws(() => parseBenchArgs(['--peers', 'kafka']), /--peers: unknown peer "kafka"/);
    assert.throws(() => parseBenchArgs(['--scenario', '6']), /--scenario/);
    assert.throws(() => parseBenchArgs(['--count', '-3']), /--count/);
    assert.throws(() => parseBenchArgs(['--sizes', '8']), /--sizes: 8 is outside/);
    assert.throws(() => parseBenchArgs(['--bogus']), /bogus/);
    assert.throws(() => parseBenchArgs(['--chute-from', 'npm']), /--chute-from: expected src or dist/);
  });

  it('refuses a run with no system to measure', () => {
    assert.throws(() => parseBenchArgs(['--peers', 'none', '--no-chute']), /--no-chute with --peers none leaves nothing to measure/);
    assert.equal(parseBenchArgs(['--peers', 'none']).chute, true);
    assert.deepEqual(parseBenchArgs(['--no-chute', '--peers', 'nats']).peers, ['nats']);
  });

  it('converts sizes both ways', () => {
    assert.equal(parseSize('1KiB'), 1024);
    assert.equal(parseSize('16kb'), 16384);
    assert.equal(parseSize('1m'), 1024 * 1024);
    assert.equal(formatSize(16), '16 B');
    assert.equal(formatSize(1024), '1 KiB');
    assert.equal(formatSize(16384), '16 KiB');
    assert.equal(formatSize(1500), '1500 B');
  });

  it('bounds the count of large messages by the byte volume of a case', () => {
    const o = { count: 100_000, maxBytesPerCase: 512 * 1024 * 1024 };
    assert.equal(countForSize(o, 1024), 100_000);
    assert.equal(countForSize(o, 16384), 32_768);
  });
});
