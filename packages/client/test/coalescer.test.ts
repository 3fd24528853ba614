import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Coalescer } from '../src/coalescer.js';

function recorder(options: { maxEntries?: number; maxWeight?: number; maxConcurrent?: number } = {}) {
  const batches: number[][] = [];
  let running = 0;
  let peak = 0;
  const c = new Coalescer<number, number>({
    maxEntries: options.maxEntries ?? 100,
    maxWeight: options.maxWeight ?? Infinity,
    maxConcurrent: options.maxConcurrent ?? 4,
    weigh: (n) => n,
    run: async (items) => {
      batches.push(items);
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return items.map((n) => (n < 0 ? { ok: false as const, error: new Error(`bad ${n}`) } : { ok: true as const, value: n * 10 }));
    },
  });
  return { c, batches, peak: () => peak };
}

test('calls in the same tick form one batch and each gets its own result', async () => {
  const { c, batches } = recorder();
  const results = await Promise.all([1, 2, 3].map((n) => c.add(n)));
  assert.deepEqual(results, [10, 20, 30]);
  assert.deepEqual(batches, [[1, 2, 3]]);
});

test('one failing entry rejects only its own promise', async () => {
  const { c } = recorder();
  const settled = await Promise.allSettled([c.add(1), c.add(-1), c.add(2)]);
  assert.deepEqual(settled.map((s) => s.status), ['fulfilled', 'rejected', 'fulfilled']);
});

test('batches are bounded by entries and by weight', async () => {
  const byCount = recorder({ maxEntries: 2 });
  await Promise.all([1, 1, 1, 1, 1].map((n) => byCount.c.add(n)));
  assert.deepEqual(byCount.batches.map((b) => b.length), [2, 2, 1]);
  const byWeight = recorder({ maxWeight: 10 });
  await Promise.all([6, 4, 3, 20].map((n) => byWeight.c.add(n)));
  assert.deepEqual(byWeight.batches, [[6, 4], [3], [20]]);
});

test('no more than maxConcurrent batches run at once', async () => {
  const { c, batches, peak } = recorder({ maxEntries: 1, maxConcurrent: 2 });
  await Promise.all([1, 2, 3, 4, 5, 6].map((n) => c.add(n)));
  assert.equal(batches.length, 6);
  assert.equal(peak(), 2);
});

test('a batch function that throws fails every entry, and drain waits for all', async () => {
  const c = new Coalescer<number, number>({
    maxEntries: 10,
    maxWeight: Infinity,
    maxConcurrent: 1,
    weigh: () => 1,
    run: async () => {
      throw new Error('down');
    },
  });
  const all = [c.add(1), c.add(2)].map((p) => p.catch((e: Error) => e.message));
  await c.drain();
  assert.deepEqual(await Promise.all(all), ['down', 'down']);
});

test('calls made while every slot is busy join one batch that goes out when a slot frees', async () => {
  const { c, batches } = recorder({ maxConcurrent: 1 });
  const first = c.add(1);
  // Each later call comes in its own turn of the event loop, while the first batch is in flight.
  const later: Array<Promise<number>> = [];
  for (const n of [2, 3, 4]) {
    await new Promise((r) => setImmediate(r));
    later.push(c.add(n));
  }
  assert.deepEqual(await Promise.all([first, ...later]), [10, 20, 30, 40]);
  assert.deepEqual(batches, [[1], [2, 3, 4]]);
});
