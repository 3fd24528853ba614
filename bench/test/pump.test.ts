import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeBody, nowMs, readStamp } from '../src/body.js';
import { DeliveryTracker, publishClosedLoop, publishOpenLoop } from '../src/pump.js';

describe('message stamps', () => {
  it('carry sequence and send time in every size', () => {
    for (const size of [16, 1024, 16384]) {
      const body = makeBody(size, 4242, 123.456);
      assert.equal(body.byteLength, size);
      assert.deepEqual(readStamp(body), { seq: 4242, sentAtMs: 123.456 });
    }
  });

  it('survive a copy at an offset (clients hand out slices of larger buffers)', () => {
    const body = makeBody(16, 7, 99.5);
    const big = Buffer.alloc(100);
    big.set(body, 40);
    assert.deepEqual(readStamp(big.subarray(40, 56)), { seq: 7, sentAtMs: 99.5 });
  });
});

describe('publishing loops', () => {
  it('closed loop publishes every message once and never holds more than the window', async () => {
    const seen: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const out = await publishClosedLoop({
      count: 500,
      window: 16,
      deadlineMs: nowMs() + 60_000,
      publish: async (seq) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight--;
        seen.push(seq);
      },
    });
    assert.equal(out.confirmed, 500);
    assert.equal(out.timedOut, false);
    assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 500 }, (_, i) => i));
    assert.ok(maxInFlight <= 16);
  });

  it('closed loop stops at the first failure and reports it', async () => {
    const out = await publishClosedLoop({
      count: 1000,
      window: 4,
      deadlineMs: nowMs() + 60_000,
      publish: async (seq) => {
        if (seq === 10) throw new Error('queue is full');
      },
    });
    assert.equal(out.error, 'queue is full');
    assert.ok(out.confirmed < 1000);
  });

  it('open loop stamps each message with its scheduled time and stops when saturated', async () => {
    const due: number[] = [];
    const out = await publishOpenLoop({
      ratePerSec: 100_000,
      total: 200,
      maxInFlight: 1000,
      deadlineMs: nowMs() + 60_000,
      publish: async (_seq, dueAt) => {
        due.push(dueAt);
      },
    });
    assert.equal(out.confirmed, 200);
    // Scheduled times are evenly spaced 10 µs apart, whatever the moment of the actual send.
    const gaps = due.slice(1).map((d, i) => d - (due[i] ?? 0));
    assert.ok(gaps.every((g) => Math.abs(g - 0.01) < 1e-6));
    const stuck = await publishOpenLoop({
      ratePerSec: 100_000,
      total: 100,
      maxInFlight: 5,
      deadlineMs: nowMs() + 200,
      publish: () => new Promise(() => undefined),
    });
    assert.equal(stuck.saturated, true);
  });
});

describe('delivery tracker', () => {
  it('counts distinct messages, redeliveries apart, and records latency', async () => {
    const t = new DeliveryTracker(3);
    for (const seq of [0, 1, 1, 2]) t.onBody(makeBody(16, seq, nowMs()));
    assert.equal(t.unique, 3);
    assert.equal(t.duplicates, 1);
    assert.equal(t.latency.count, 4);
    assert.equal(await t.waitAll(nowMs() + 1000), true);
  });

  it('gives up at the deadline', async () => {
    const t = new DeliveryTracker(2);
    t.onBody(makeBody(16, 0, nowMs()));
    assert.equal(await t.waitFor(2, nowMs() + 20), false);
    assert.equal(await t.waitFor(1, nowMs() + 20), true);
  });
});
