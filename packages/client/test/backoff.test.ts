import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelayMs, resolveBackoff, nackBackoffDefaults } from '../src/backoff.js';

const noJitter = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0 };

test('backoff grows exponentially from initialMs and stops at maxMs', () => {
  const delays = [1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, noJitter));
  assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000]);
});

test('backoff stays finite and capped for huge attempt numbers', () => {
  assert.equal(backoffDelayMs(10_000, noJitter), 1000);
});

test('jitter takes away at most its fraction of the delay', () => {
  const opts = { ...noJitter, jitter: 0.25 };
  assert.equal(backoffDelayMs(3, opts, () => 0), 400);
  assert.equal(backoffDelayMs(3, opts, () => 0.999999), 300);
  for (let i = 0; i < 200; i++) {
    const d = backoffDelayMs(3, opts);
    assert.ok(d >= 300 && d <= 400, `delay ${d} outside [300, 400]`);
  }
});

test('attempt numbers below 1 are treated as the first attempt', () => {
  assert.equal(backoffDelayMs(0, noJitter), 100);
  assert.equal(backoffDelayMs(-3, noJitter), 100);
});

test('resolveBackoff fills defaults and rejects nonsense', () => {
  assert.deepEqual(resolveBackoff({ maxMs: 10 }, nackBackoffDefaults), { ...nackBackoffDefaults, maxMs: 10 });
  assert.throws(() => resolveBackoff({ jitter: 2 }, nackBackoffDefaults), /jitter/);
  assert.throws(() => resolveBackoff({ initialMs: -1 }, nackBackoffDefaults), /initialMs/);
  assert.throws(() => resolveBackoff({ factor: Number.NaN }, nackBackoffDefaults), /factor/);
});
