/**
 * The SDK's consume loop against a real `chute serve` process: retries with backoff, lease
 * extension, concurrency, graceful stop, and error reporting without unhandled rejections.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Chute, ChuteError, type ConsumerErrorContext, type Queue, type ReceivedMessage } from '@chutemq/client';
import { startServer, type RunningServer } from '../support/server-process.js';

let server: RunningServer;
let chute: Chute;
const name = (): string => `sdk-c-${randomUUID().slice(0, 8)}`;
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown): void => void unhandled.push(e);

before(async () => {
  process.on('unhandledRejection', onUnhandled);
  server = await startServer();
  chute = new Chute({ url: server.url });
});
after(async () => {
  process.off('unhandledRejection', onUnhandled);
  await chute?.close();
  await server?.stop();
});

async function newQueue(config: Parameters<Queue['create']>[0] = {}): Promise<Queue> {
  const q = chute.queue(name());
  await q.create(config);
  return q;
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a handler that throws twice then succeeds: three deliveries, two nacks, one ack', { timeout: 20_000 }, async () => {
  const q = await newQueue();
  await q.send({ job: 1 });
  const deliveries: number[] = [];
  const errors: ConsumerErrorContext['phase'][] = [];
  const consumer = q.consume(
    async (m) => {
      deliveries.push(m.deliveryCount);
      if (deliveries.length <= 2) throw new Error(`attempt ${deliveries.length} fails`);
    },
    { waitMs: 1_000, backoff: { initialMs: 50, maxMs: 200 }, onError: (_e, ctx) => void errors.push(ctx.phase) },
  );
  await until(async () => (await q.stats()).totals.acked === 1, 10_000);
  await consumer.stop();
  assert.deepEqual(deliveries, [1, 2, 3]);
  assert.deepEqual(errors, ['handler', 'handler']);
  const stats = await q.stats();
  assert.equal(stats.totals.received, 3);
  assert.equal(stats.totals.nacked, 2);
  assert.equal(stats.totals.acked, 1);
  assert.equal(stats.total, 0);
  assert.deepEqual(consumer.stats, { received: 3, acked: 1, nacked: 2, errors: 2 });
});

test('the nack delay grows with the delivery count', { timeout: 20_000 }, async () => {
  const q = await newQueue();
  await q.send('slow retry');
  const seenAt: number[] = [];
  const consumer = q.consume(
    () => {
      seenAt.push(Date.now());
      if (seenAt.length < 3) throw new Error('again');
    },
    { waitMs: 1_000, backoff: { initialMs: 300, factor: 2, maxMs: 10_000, jitter: 0 }, onError: () => undefined },
  );
  await until(() => seenAt.length === 3, 10_000);
  await consumer.stop();
  const [a, b, c] = seenAt as [number, number, number];
  assert.ok(b - a >= 280, `first retry after ${b - a} ms, expected about 300`);
  assert.ok(c - b >= 580, `second retry after ${c - b} ms, expected about 600`);
});

test('stop() lets a running handler finish and acks it; nothing is redelivered', { timeout: 20_000 }, async () => {
  const q = await newQueue({ visibilityTimeoutMs: 1_000 });
  await q.send('in flight');
  let started!: () => void;
  const handlerStarted = new Promise<void>((r) => (started = r));
  let calls = 0;
  let finished = false;
  const consumer = q.consume(
    async () => {
      calls++;
      started();
      await new Promise((r) => setTimeout(r, 700));
      finished = true;
    },
    { waitMs: 1_000 },
  );
  await handlerStarted;
  await consumer.stop();
  assert.equal(finished, true, 'stop resolved only after the handler finished');
  assert.equal(consumer.isRunning, false);
  const stats = await q.stats();
  assert.equal(stats.totals.acked, 1);
  assert.equal(stats.total, 0);
  // Well past the 1 s lease: had the ack been lost, the message would be back.
  await new Promise((r) => setTimeout(r, 1_300));
  assert.equal((await q.stats()).total, 0);
  assert.equal(calls, 1);
});

test('stop() gives back prefetched messages no handler started', { timeout: 20_000 }, async () => {
  const q = await newQueue();
  await q.sendBatch(Array.from({ length: 6 }, (_, i) => ({ body: `p${i}` })));
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const handled: string[] = [];
  const consumer = q.consume(
    async (m) => {
      handled.push(m.text());
      await gate;
    },
    { concurrency: 1, maxInFlight: 6, waitMs: 500 },
  );
  await until(() => handled.length === 1 && consumer.stats.received === 6, 5_000);
  const stopping = consumer.stop();
  release();
  await stopping;
  const stats = await q.stats();
  assert.equal(stats.totals.acked, 1);
  assert.equal(stats.ready, 5, 'the five unstarted messages are ready again at once');
  assert.equal(stats.leased, 0);
});

test('a long handler keeps its lease: extended at half the lease, delivered once', { timeout: 20_000 }, async () => {
  const q = await newQueue();
  await q.send('long job');
  let calls = 0;
  const errors: unknown[] = [];
  const consumer = q.consume(
    async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 2_500));
    },
    { visibilityTimeoutMs: 1_000, waitMs: 500, onError: (e) => void errors.push(e) },
  );
  await until(async () => (await q.stats()).totals.acked === 1, 10_000);
  await consumer.stop();
  assert.equal(calls, 1);
  assert.deepEqual(errors, []);
  assert.equal((await q.stats()).totals.leaseExpired, 0);
});

test('concurrency bounds the handlers running at once', { timeout: 20_000 }, async () => {
  const q = await newQueue();
  await q.sendBatch(Array.from({ length: 30 }, (_, i) => ({ body: i })));
  let running = 0;
  let peak = 0;
  const consumer = q.consume(
    async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 30));
      running--;
    },
    { concurrency: 4, maxInFlight: 8, waitMs: 500 },
  );
  await until(() => consumer.stats.acked === 30, 10_000);
  await consumer.stop();
  assert.equal(peak, 4);
  assert.equal((await q.stats()).total, 0);
});

test('synchronous handlers: each of 20,000 messages is handled and acked once; a synchronous throw is nacked and retried', { timeout: 60_000 }, async () => {
  const q = await newQueue();
  const total = 20_000;
  for (let i = 0; i < total; i += 1000) await q.sendBatch(Array.from({ length: 1000 }, (_, j) => ({ body: String(i + j) })));
  const seen = new Map<string, number>();
  let thrown = 0;
  const phases: string[] = [];
  const consumer = q.consume(
    (m) => {
      const body = m.text();
      seen.set(body, (seen.get(body) ?? 0) + 1);
      if (body === '777' && m.deliveryCount === 1) {
        thrown++;
        throw new Error('fails on its first delivery');
      }
    },
    { concurrency: 64, maxInFlight: 1000, waitMs: 500, backoff: { initialMs: 10, maxMs: 10 }, onError: (_e, ctx) => void phases.push(ctx.phase) },
  );
  await until(() => consumer.stats.acked === total, 30_000);
  await consumer.stop();
  assert.equal(seen.size, total, 'every message reached the handler');
  assert.equal(thrown, 1);
  assert.equal(seen.get('777'), 2, 'the failed message came back once');
  assert.equal([...seen.values()].filter((n) => n !== 1).length, 1, 'no other message was handled twice');
  assert.deepEqual(phases, ['handler']);
  const stats = await q.stats();
  assert.equal(stats.total, 0);
  assert.equal(stats.totals.acked, total);
  assert.equal(stats.totals.nacked, 1);
});

test('a handler may return any thenable; stop() waits for it and for its ack', { timeout: 20_000 }, async () => {
  const q = await newQueue();
  await q.send('thenable');
  let resolveLater!: () => void;
  let started = false;
  const consumer = q.consume(
    () => {
      started = true;
      // Not a Promise: an object with a then method, as some libraries return.
      return { then: (onDone: () => void) => void (resolveLater = onDone) };
    },
    { waitMs: 500 },
  );
  await until(() => started, 5_000);
  const stopping = consumer.stop();
  let stopped = false;
  void stopping.then(() => (stopped = true));
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(stopped, false, 'stop() waits while the handler has not finished');
  resolveLater();
  await stopping;
  assert.equal(consumer.stats.acked, 1);
  assert.equal((await q.stats()).total, 0, 'the ack was confirmed before stop() resolved');
});

test('badly behaved thenables: one that settles twice is acked once, one whose then throws is a failure', { timeout: 20_000 }, async () => {
  const q = await newQueue();
  await q.sendBatch([{ body: 'twice' }, { body: 'throws' }]);
  const phases: string[] = [];
  const seen: string[] = [];
  const consumer = q.consume(
    (m) => {
      seen.push(m.text());
      if (m.text() === 'twice') return { then: (ok: () => void) => { ok(); ok(); } };
      if (m.deliveryCount === 1) return { then: () => { throw new Error('then throws'); } };
      return undefined;
    },
    { waitMs: 500, backoff: { initialMs: 10, maxMs: 10 }, onError: (_e, ctx) => void phases.push(ctx.phase) },
  );
  await until(() => consumer.stats.acked === 2, 10_000);
  await consumer.stop();
  assert.deepEqual(phases, ['handler']);
  assert.deepEqual(seen.sort(), ['throws', 'throws', 'twice']);
  const stats = await q.stats();
  assert.equal(stats.total, 0);
  assert.equal(stats.totals.acked, 2);
  assert.equal(stats.totals.nacked, 1);
});

test('stop() while messages keep arriving leaves none leased, and returns within a round trip', { timeout: 60_000 }, async () => {
  const q = await newQueue({ visibilityTimeoutMs: 30_000 });
  let sending = true;
  const producer = (async () => {
    for (let i = 0; sending; i++) await q.send(`m${i}`);
  })();
  try {
    for (let round = 0; round < 20; round++) {
      const consumer = q.consume(() => undefined, { concurrency: 4, maxInFlight: 8, waitMs: 10_000 });
      await new Promise((r) => setTimeout(r, 20 + (round % 10) * 10));
      const t0 = Date.now();
      await consumer.stop();
      assert.ok(Date.now() - t0 < 1_500, `stop() took ${Date.now() - t0} ms`);
      const stats = await q.stats();
      assert.equal(stats.leased, 0, `round ${round}: ${stats.leased} messages stayed leased after stop()`);
    }
  } finally {
    sending = false;
    await producer;
  }
});

test('endPoll ends a named long poll at once, also when the end arrives first; a bad pollId is refused by name', { timeout: 20_000 }, async () => {
  const q = await newQueue();
  const t0 = Date.now();
  const waiting = q.receive({ waitMs: 10_000, pollId: 'p-1' });
  await new Promise((r) => setTimeout(r, 200));
  await q.endPoll('p-1');
  assert.deepEqual(await waiting, []);
  assert.ok(Date.now() - t0 < 2_000, 'the poll did not wait out its 10 s');

  await q.endPoll('p-2'); // before its receive
  const t1 = Date.now();
  assert.deepEqual(await q.receive({ waitMs: 10_000, pollId: 'p-2' }), []);
  assert.ok(Date.now() - t1 < 2_000, 'a poll ended in advance does not wait');

  await q.endPoll('p-1'); // ending an answered poll is not an error
  await assert.rejects(chute.queue(name()).endPoll('p-1'), (e: unknown) => e instanceof ChuteError && e.code === 'QueueNotFound');
  await assert.rejects(q.receive({ pollId: 'not valid!' }), (e: unknown) => e instanceof ChuteError && e.code === 'InvalidArgument' && e.field === 'pollId');
  for (const bad of ['a.b', 'x'.repeat(65), 'é']) {
    await assert.rejects(q.endPoll(bad), (e: unknown) => e instanceof ChuteError && e.code === 'InvalidArgument' && e.field === 'pollId', bad);
  }
  await q.send('still here');
  const [m] = await q.receive({ waitMs: 1_000, pollId: 'p-3' });
  assert.equal(m?.text(), 'still here', 'a named poll receives as any other');
});

test('receive errors go to onError and the loop keeps going', { timeout: 20_000 }, async () => {
  const q = chute.queue(name()); // not created yet
  const seen: Array<{ code: string; phase: string }> = [];
  const got: ReceivedMessage[] = [];
  const consumer = q.consume((m) => void got.push(m), {
    waitMs: 200,
    onError: (e, ctx) => void seen.push({ code: e instanceof ChuteError ? e.code : String(e), phase: ctx.phase }),
  });
  await until(() => seen.length >= 1, 5_000);
  assert.deepEqual(seen[0], { code: 'QueueNotFound', phase: 'receive' });
  await q.create();
  await q.send('after all');
  await until(() => got.length === 1, 10_000);
  await consumer.stop();
  assert.equal(got[0]!.text(), 'after all');
  assert.deepEqual(unhandled, []);
});

test('sends of one FIFO group issued together arrive in the order they were issued', { timeout: 60_000 }, async () => {
  // Small batches, so that many requests are in flight at once, where arrival order could differ.
  const smallBatches = new Chute({ url: server.url, batching: { maxEntries: 20 } });
  const q = smallBatches.queue(name());
  await q.create({ fifo: true });
  const count = 4000;
  await Promise.all(Array.from({ length: count }, (_, i) => q.send(String(i), { groupId: i % 2 === 0 ? 'even' : 'odd' })));
  const seen: Record<string, number[]> = { even: [], odd: [] };
  while (seen.even!.length + seen.odd!.length < count) {
    const got = await q.receive({ max: 1000, waitMs: 1000 });
    for (const m of got) seen[m.groupId as string]!.push(Number(m.text()));
    await q.ack(got);
  }
  assert.deepEqual(seen.even, Array.from({ length: count / 2 }, (_, i) => 2 * i));
  assert.deepEqual(seen.odd, Array.from({ length: count / 2 }, (_, i) => 2 * i + 1));
});

test('consume() handles the messages of one FIFO group one at a time, in order, and a failure is retried before the next', { timeout: 60_000 }, async () => {
  const q = await newQueue({ fifo: true });
  for (const group of ['a', 'b']) {
    for (let i = 0; i < 20; i++) await q.send(`${group}${i}`, { groupId: group });
  }
  const running = new Map<string, number>();
  let overlap = 0;
  const handled: Record<string, string[]> = { a: [], b: [] };
  let failedOnce = false;
  const consumer = q.consume(
    async (m) => {
      const group = m.groupId as string;
      running.set(group, (running.get(group) ?? 0) + 1);
      if ((running.get(group) ?? 0) > 1) overlap++;
      await new Promise((r) => setTimeout(r, Math.random() * 5));
      running.set(group, (running.get(group) ?? 0) - 1);
      if (m.text() === 'a3' && !failedOnce) {
        failedOnce = true;
        throw new Error('a3 fails once');
      }
      handled[group]!.push(m.text());
    },
    { concurrency: 8, backoff: { initialMs: 50, maxMs: 50, jitter: 0 }, onError: () => {} },
  );
  await until(() => handled.a!.length === 20 && handled.b!.length === 20, 30_000);
  await consumer.stop();
  assert.equal(overlap, 0, 'two handlers of one group ran at the same time');
  assert.deepEqual(handled.a, Array.from({ length: 20 }, (_, i) => `a${i}`));
  assert.deepEqual(handled.b, Array.from({ length: 20 }, (_, i) => `b${i}`));
  assert.ok(failedOnce);
});
