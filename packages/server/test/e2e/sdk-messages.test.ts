/**
 * The SDK's message calls against a real `chute serve` process: send (auto-batched), sendBatch,
 * receive, ack, nack, extend, peek and redrive.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Chute, ChuteError, type Queue } from '@chutemq/client';
import { startServer, type RunningServer } from '../support/server-process.js';

let server: RunningServer;
let chute: Chute;
const name = (): string => `sdk-m-${randomUUID().slice(0, 8)}`;

before(async () => {
  server = await startServer();
  chute = new Chute({ url: server.url });
});
after(async () => {
  await chute?.close();
  await server?.stop();
});

async function newQueue(config: Parameters<Queue['create']>[0] = {}): Promise<Queue> {
  const q = chute.queue(name());
  await q.create(config);
  return q;
}

test('text, bytes and JSON bodies round-trip with their content type', { timeout: 20_000 }, async () => {
  const q = await newQueue();
  const bytes = Buffer.from([0, 1, 2, 253, 254, 255, 0x80, 0xc3]);
  await q.send('héllo ✓', { headers: { trace: 'abc', n: 7, raw: new Uint8Array([9, 8]) }, priority: 9 });
  await q.send(bytes, { priority: 5 });
  await q.send({ order: 42, items: ['a', 'b'] });
  const got = await q.receive({ max: 3, waitMs: 1_000 });
  assert.equal(got.length, 3);
  const [text, bin, json] = got; // priority order: 9, 5, 0
  assert.equal(text!.text(), 'héllo ✓');
  assert.equal(text!.value, 'héllo ✓');
  assert.equal(text!.headers.trace, 'abc');
  assert.equal(text!.headers.n, 7);
  assert.deepEqual([...(text!.headers.raw as Uint8Array)], [9, 8]);
  assert.equal(text!.priority, 9);
  assert.deepEqual(bin!.body, bytes);
  assert.equal(bin!.contentType, 'application/octet-stream');
  assert.deepEqual(json!.json(), { order: 42, items: ['a', 'b'] });
  assert.deepEqual(json!.value, { order: 42, items: ['a', 'b'] });
  assert.equal(json!.deliveryCount, 1);
  assert.ok(json!.receipt.length > 0);
  assert.ok(json!.leaseExpiresAt > Date.now() - 1_000);
  assert.deepEqual(await q.ack(got), got.map((m) => ({ ok: true, receipt: m.receipt })));
  assert.equal((await q.stats()).total, 0);
});

test('sends in one tick share a request and each gets its own id', { timeout: 30_000 }, async () => {
  const posts: string[] = [];
  const counting = new Chute({
    url: server.url,
    fetch: (input, init) => {
      if (init?.method === 'POST' && String(input).endsWith('/messages')) posts.push(String(input));
      return fetch(input, init);
    },
  });
  const q = counting.queue(name());
  await q.create();
  const receipts = await Promise.all(Array.from({ length: 200 }, (_, i) => q.send(`m${i}`)));
  assert.equal(posts.length, 1, 'two hundred sends, one request');
  assert.equal(new Set(receipts.map((r) => r.id)).size, 200);

  posts.length = 0;
  const many = await Promise.all(Array.from({ length: 1_200 }, (_, i) => q.send(`n${i}`)));
  assert.equal(posts.length, 3, 'batches of at most 500');
  assert.equal(new Set(many.map((r) => r.id)).size, 1_200);
  assert.equal((await q.stats()).ready, 1_400);

  // The ids really are those of the messages: the first send's id is the first message's.
  const [first] = await q.peek({ max: 1 });
  assert.equal(first!.id, receipts[0]!.id);
  assert.equal(first!.text(), 'm0');
});

test('one bad send in a batch fails alone', { timeout: 20_000 }, async () => {
  const q = await newQueue();
  const results = await Promise.allSettled([q.send('ok-1'), q.send('bad', { priority: 99 }), q.send('ok-2')]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  const err = (results[1] as PromiseRejectedResult).reason as ChuteError;
  assert.ok(err instanceof ChuteError);
  assert.equal(err.code, 'InvalidArgument');
  assert.equal(err.field, 'priority', 'named as the caller wrote it, not by its place in the batch');
  assert.equal((await q.stats()).ready, 2);

  // Wrongly typed options and header values fail their own message only, named as written.
  const typed = await Promise.allSettled([
    q.send('ok-3'),
    q.send('bad', { priority: 1.5 }),
    q.send('bad', { headers: { x: null as unknown as string } }),
    q.send('bad', { headers: { n: Number.NaN } }),
    q.send('bad', { groupId: 5 as unknown as string }),
    q.send('ok-4'),
  ]);
  assert.deepEqual(typed.map((r) => r.status), ['fulfilled', 'rejected', 'rejected', 'rejected', 'rejected', 'fulfilled']);
  assert.deepEqual(
    typed.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => [(r.reason as ChuteError).code, (r.reason as ChuteError).field]),
    [
      ['InvalidArgument', 'priority'],
      ['InvalidArgument', 'headers.x'],
      ['InvalidArgument', 'headers.n'],
      ['InvalidArgument', 'groupId'],
    ],
  );
  assert.equal((await q.stats()).ready, 4);

  const outcomes = await q.sendBatch([{ body: 'a' }, { body: 'b', delayMs: -5 }, { body: { c: 1 }, dedupId: 'd1' }, { body: 'e', ttlMs: '9' as unknown as number }]);
  assert.deepEqual(outcomes.map((o) => o.ok), [true, false, true, false]);
  assert.equal((outcomes[3] as { error: ChuteError }).error.field, 'ttlMs');
  const dup = await q.send('again', { dedupId: 'd1' });
  assert.equal(dup.duplicate, true);
  assert.equal(dup.id, (outcomes[2] as { id: string }).id);
});

test('automatic batches stay under the request limit when headers need escaping in JSON', { timeout: 60_000 }, async () => {
  const q = await newQueue();
  // Each control character is one character but six bytes of JSON (\u0001).
  const header = '\u0001'.repeat(60_000);
  const results = await Promise.allSettled(Array.from({ length: 80 }, (_, i) => q.send(`m${i}`, { headers: { note: header } })));
  assert.deepEqual(new Set(results.map((r) => (r.status === 'rejected' ? String((r.reason as Error).message) : 'ok'))), new Set(['ok']));
  assert.equal((await q.stats()).ready, 80);
});

test('a send to a missing queue rejects every promise of the batch with QueueNotFound', { timeout: 20_000 }, async () => {
  const q = chute.queue(name());
  const results = await Promise.allSettled([q.send('a'), q.send('b')]);
  for (const r of results) {
    assert.equal(r.status, 'rejected');
    assert.equal(((r as PromiseRejectedResult).reason as ChuteError).code, 'QueueNotFound');
  }
});

test('nack with delay, extend, and stale receipts', { timeout: 20_000 }, async () => {
  const q = await newQueue({ visibilityTimeoutMs: 30_000 });
  await q.send('x');
  const [m] = await q.receive({ waitMs: 1_000, visibilityTimeoutMs: 1_000 });
  assert.ok(m);
  const before = m.leaseExpiresAt;
  await m.extend(10_000);
  assert.ok(m.leaseExpiresAt > before + 5_000, 'extend moves the lease end');
  await m.nack(300);
  const stats = await q.stats();
  assert.equal(stats.scheduled + stats.ready, 1);
  assert.deepEqual(await q.receive({ waitMs: 0 }), [], 'hidden during the nack delay');
  const [again] = await q.receive({ waitMs: 2_000 });
  assert.ok(again);
  assert.equal(again.deliveryCount, 2);
  await assert.rejects(m.ack(), (e: unknown) => e instanceof ChuteError && (e.code === 'ReceiptInvalid' || e.code === 'LeaseExpired') && e.status === 409);
  const mixed = await q.ack([m, again]);
  assert.deepEqual(mixed.map((o) => o.ok), [false, true]);
  assert.equal((await q.stats()).total, 0);
});

test('a lease that ends hands the message out again', { timeout: 20_000 }, async () => {
  const q = await newQueue();
  await q.send('lease');
  const [m] = await q.receive({ waitMs: 1_000, visibilityTimeoutMs: 200 });
  assert.equal(m!.deliveryCount, 1);
  const [again] = await q.receive({ waitMs: 3_000 });
  assert.equal(again!.id, m!.id);
  assert.equal(again!.deliveryCount, 2);
  await again!.ack();
});

test('autoAck receive removes the message as it is handed out', { timeout: 20_000 }, async () => {
  const q = await newQueue();
  await q.send('once');
  const [m] = await q.receive({ waitMs: 1_000, autoAck: true });
  assert.equal(m!.text(), 'once');
  assert.equal((await q.stats()).total, 0);
});

test('long poll waits for a message sent later, and an aborted poll returns nothing', { timeout: 20_000 }, async () => {
  const q = await newQueue();
  const started = Date.now();
  const polling = q.receive({ waitMs: 5_000 });
  setTimeout(() => void q.send('late'), 300);
  const [m] = await polling;
  assert.equal(m!.text(), 'late');
  assert.ok(Date.now() - started >= 250);
  await m!.ack();

  const abort = new AbortController();
  const aborted = q.receive({ waitMs: 10_000, signal: abort.signal });
  setTimeout(() => abort.abort(), 100);
  assert.deepEqual(await aborted, []);
});

test('peek looks without leasing and pages by sequence', { timeout: 20_000 }, async () => {
  const q = await newQueue();
  await q.sendBatch(['a', 'b', 'c'].map((body) => ({ body })));
  const firstTwo = await q.peek({ max: 2 });
  assert.deepEqual(firstTwo.map((m) => m.text()), ['a', 'b']);
  const rest = await q.peek({ afterSequence: firstTwo[1]!.sequence });
  assert.deepEqual(rest.map((m) => m.text()), ['c']);
  assert.equal((await q.stats()).ready, 3);
});

test('dead letters after maxDeliveries, then redrive moves them back', { timeout: 20_000 }, async () => {
  const dlq = await newQueue();
  const q = await newQueue({ maxDeliveries: 1, deadLetterQueue: dlq.name });
  await q.send('doomed');
  const [m] = await q.receive({ waitMs: 1_000 });
  await m!.nack();
  // The second delivery attempt finds deliveryCount > maxDeliveries and dead-letters it.
  assert.deepEqual(await q.receive({ waitMs: 500 }), []);
  const [dead] = await dlq.peek();
  assert.equal(dead!.text(), 'doomed');
  assert.equal(dead!.deadLetter?.sourceQueue, q.name);
  assert.equal(await dlq.redrive(), 1);
  assert.equal((await q.stats()).ready, 1);
  assert.equal((await dlq.stats()).total, 0);
});

test('listConsumers shows a consumer while it long-polls', { timeout: 20_000 }, async () => {
  const q = await newQueue();
  const abort = new AbortController();
  const polling = q.receive({ waitMs: 10_000, signal: abort.signal });
  let seen: Awaited<ReturnType<Chute['listConsumers']>> = [];
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    seen = await chute.listConsumers(q.name);
    if (seen.some((c) => c.waiting > 0)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  abort.abort();
  await polling;
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.queue, q.name);
  assert.equal(seen[0]!.waiting, 1);
  assert.ok(seen[0]!.lastSeenAt > 0);
});
