/**
 * The SDK's queue admin calls against a real `chute serve` process.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Chute, ChuteError } from '@chutemq/client';
import { startServer, type RunningServer } from '../support/server-process.js';

let server: RunningServer;
let chute: Chute;
const name = (): string => `sdk-q-${randomUUID().slice(0, 8)}`;

before(async () => {
  server = await startServer();
  chute = new Chute({ url: server.url });
});
after(async () => {
  await chute?.close();
  await server?.stop();
});

test('create, get, update, list and delete a queue', { timeout: 20_000 }, async () => {
  const q = chute.queue(name());
  const created = await q.create({ visibilityTimeoutMs: 5_000, maxLength: 100 });
  assert.equal(created.name, q.name);
  assert.equal(created.config.visibilityTimeoutMs, 5_000);
  assert.equal(created.config.maxLength, 100);
  assert.deepEqual(await q.create({ visibilityTimeoutMs: 5_000, maxLength: 100 }), created, 'same settings: unchanged');
  await assert.rejects(q.create({ visibilityTimeoutMs: 6_000 }), (e: unknown) => e instanceof ChuteError && e.code === 'QueueAlreadyExists' && e.status === 409);

  const updated = await q.update({ delayMs: 1_000 });
  assert.equal(updated.config.delayMs, 1_000);
  assert.equal((await q.get()).config.delayMs, 1_000);

  const listed = await chute.queues({ prefix: q.name });
  assert.deepEqual(listed.map((x) => x.name), [q.name]);

  await q.delete();
  await assert.rejects(q.get(), (e: unknown) => e instanceof ChuteError && e.code === 'QueueNotFound' && e.status === 404);
});

test('listing follows pages to the end', { timeout: 20_000 }, async () => {
  const prefix = `${name()}-`;
  const names = Array.from({ length: 5 }, (_, i) => `${prefix}${i}`);
  await Promise.all(names.map((n) => chute.queue(n).create()));
  assert.deepEqual((await chute.queues({ prefix })).map((q) => q.name), names);
  assert.deepEqual((await chute.queues({ prefix, limit: 2 })).map((q) => q.name), names.slice(0, 2));
  assert.deepEqual((await chute.queues({ prefix, after: names[2] })).map((q) => q.name), names.slice(3));
});

test('stats, purge and dead-letter sources', { timeout: 20_000 }, async () => {
  const dlq = chute.queue(name());
  await dlq.create();
  const q = chute.queue(name());
  await q.create({ maxDeliveries: 3, deadLetterQueue: dlq.name });
  assert.deepEqual(await dlq.deadLetterSources(), [q.name]);
  await Promise.all(['a', 'b', 'c'].map((b) => q.send(b)));
  const stats = await q.stats();
  assert.equal(stats.name, q.name);
  assert.equal(stats.ready, 3);
  assert.equal(stats.total, 3);
  assert.equal(stats.totals.sent, 3);
  assert.equal(await q.purge(), 3);
  assert.equal((await q.stats()).total, 0);
  await assert.rejects(dlq.delete(), (e: unknown) => e instanceof ChuteError && e.code === 'QueueInUse');
});

test('bad input comes back as typed errors naming the field', { timeout: 20_000 }, async () => {
  const q = chute.queue(name());
  const err = await q.create({ visibilityTimeoutMs: -1 }).catch((e: unknown) => e);
  assert.ok(err instanceof ChuteError);
  assert.equal(err.code, 'InvalidArgument');
  assert.equal(err.status, 400);
  assert.match(err.field ?? '', /visibilityTimeoutMs/);
  await assert.rejects(chute.queue('bad name!').create(), (e: unknown) => e instanceof ChuteError && e.status === 400);
  await assert.rejects(chute.queue(name()).stats(), (e: unknown) => e instanceof ChuteError && e.code === 'QueueNotFound');
});

test('health reports ok', { timeout: 10_000 }, async () => {
  assert.deepEqual(await chute.health(), { status: 'ok' });
});
