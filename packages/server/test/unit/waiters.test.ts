/**
 * Waiting receives (long polls) of the embedded backend: ending one costs O(1) amortized, so that
 * ending tens of thousands at once (a channel closing with its receives, a shutdown) does not hold
 * the event loop for seconds; deleting the queue ends them all; and the polls still waiting keep
 * their serving order.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { performance } from 'node:perf_hooks';
import type { Broker } from '../../src/core/broker.js';
import { ManualClock } from '../../src/core/clock.js';
import { openBroker } from '../../src/open-broker.js';
import { randomName, tempDir } from '../support/temp.js';

/**
 * Waiters of the smaller run; the larger has twice as many. Enough for the quadratic cost this
 * guards against to show plainly (ending 5,000 took about 1 s with it, 10,000 about 4 s; 20,000
 * about 20 s), few enough for a test that fails to end soon.
 */
const waitersFew = 5_000;
/** Waiters of a first run that is not measured: it has the code compiled before the measured ones. */
const waitersWarmUp = 1_000;
/** Runs of each size; the fastest counts, so a collection or a busy neighbour in one run does not. */
const runs = 3;

describe('waiting receives of the embedded backend', { timeout: 120_000 }, () => {
  const dir = tempDir();
  const clock = new ManualClock();
  let broker: Broker;
  before(async () => {
    broker = await openBroker({ dataDir: dir.path, clock });
  });
  after(async () => {
    await broker.close();
    dir.remove();
  });

  /** Opens `n` waiting receives on a new queue, then aborts them all; returns how long the aborts took (ms). */
  const endWaits = async (n: number): Promise<number> => {
    const q = randomName('waiters');
    await broker.createQueue(q, { durable: false });
    const aborts = Array.from({ length: n }, () => new AbortController());
    const polls = aborts.map((a) => broker.receive(q, { waitMs: 20_000, signal: a.signal }));
    while ((broker.listConsumers(q)[0]?.waiting ?? 0) < n) await new Promise((r) => setImmediate(r));
    const started = performance.now();
    for (const a of aborts) a.abort();
    const tookMs = performance.now() - started;
    for (const got of await Promise.all(polls)) assert.equal(got.length, 0);
    await broker.deleteQueue(q);
    return tookMs;
  };

  it('ending twice as many takes about twice as long, not four times', async () => {
    await endWaits(waitersWarmUp);
    let few = Infinity;
    let many = Infinity;
    for (let run = 0; run < runs; run++) {
      few = Math.min(few, await endWaits(waitersFew));
      many = Math.min(many, await endWaits(2 * waitersFew));
    }
    // Linear work doubles (ratio 2); work quadratic in the waiters quadruples (4). A few
    // milliseconds of slack keep timer noise on runs this short from counting.
    assert.ok(many < 3 * few + 5, `ending ${waitersFew} waiting receives took ${few.toFixed(1)} ms, ${2 * waitersFew} took ${many.toFixed(1)} ms`);
  });

  it('deleting a queue ends every receive waiting on it, however many', async () => {
    const q = randomName('deleted');
    await broker.createQueue(q, { durable: false });
    const n = 200;
    const polls = Array.from({ length: n }, () => broker.receive(q, { waitMs: 20_000 }));
    while ((broker.listConsumers(q)[0]?.waiting ?? 0) < n) await new Promise((r) => setImmediate(r));
    await broker.deleteQueue(q);
    const ended = await Promise.race([Promise.all(polls), new Promise<undefined>((r) => setTimeout(r, 2_000, undefined))]);
    assert.ok(ended !== undefined, 'receives still waiting 2 s after their queue was deleted');
    assert.deepEqual(new Set(ended.map((got) => got.length)), new Set([0]));
  });

  it('polls still waiting are served in the order they came, whichever ended before them', async () => {
    const q = randomName('order');
    await broker.createQueue(q, { durable: false });
    const n = 300;
    const aborts = Array.from({ length: n }, () => new AbortController());
    const served: number[] = [];
    const polls = aborts.map((a, i) =>
      broker.receive(q, { waitMs: i % 3 === 1 ? 1_000 : 20_000, signal: a.signal }).then((got) => {
        if (got.length > 0) served.push(i);
        return got.length;
      }),
    );
    while ((broker.listConsumers(q)[0]?.waiting ?? 0) < n) await new Promise((r) => setImmediate(r));
    // A third times out, a third is aborted (most of the line ends: the backend drops ended ones
    // along the way), a third stays; then one message at a time goes to the longest waiting.
    await clock.advance(1_000);
    aborts.forEach((a, i) => i % 3 === 2 && a.abort());
    const staying = Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 === 0);
    for (let sent = 0; sent < staying.length; sent++) {
      const [r] = await broker.send(q, [{ body: Buffer.from(String(sent)) }]);
      assert.ok(r?.ok);
      await new Promise((res) => setImmediate(res));
    }
    assert.equal((await Promise.all(polls)).reduce((a, b) => a + b, 0), staying.length);
    assert.deepEqual(served, staying);
    assert.equal((await broker.queueStats(q)).ready, 0);
  });
});
