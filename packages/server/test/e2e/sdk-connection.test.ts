/**
 * Failure of the network path: a broker that is not there, a broker that goes away under a
 * consumer, and tokens.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { test } from 'node:test';
import { Chute, ChuteError, ConnectionError } from '@chutemq/client';
import { startServer } from '../support/server-process.js';

/** A port nothing listens on: bound once by us, then released. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

test('a URL that is not http(s) is refused when the client is made, not retried on every call', () => {
  for (const url of ['notaurl', 'ftp://127.0.0.1:7070', '']) {
    assert.throws(() => new Chute({ url }), (e: unknown) => e instanceof RangeError && /url must be an http/.test(e.message), url);
  }
});

test('connection refused is retried, then surfaces as a typed ConnectionError', { timeout: 20_000 }, async () => {
  const chute = new Chute({ url: `http://127.0.0.1:${await closedPort()}`, maxRetries: 2, retryBackoff: { initialMs: 20, maxMs: 50 } });
  const started = Date.now();
  for (const call of [() => chute.queue('q').send('x'), () => chute.queue('q').stats(), () => chute.queues()]) {
    const err = await call().catch((e: unknown) => e);
    assert.ok(err instanceof ConnectionError, String(err));
    assert.equal(err.code, 'ConnectionError');
    assert.equal(err.attempts, 3);
    assert.equal(err.retryable, true);
  }
  assert.ok(Date.now() - started < 5_000);
});

test('a consumer whose broker goes away reports errors, never rejects unhandled, and stops', { timeout: 30_000 }, async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown): void => void unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  const server = await startServer();
  try {
    const chute = new Chute({ url: server.url, maxRetries: 0 });
    const q = chute.queue(`sdk-x-${randomUUID().slice(0, 8)}`);
    await q.create();
    const errors: unknown[] = [];
    const consumer = q.consume(() => undefined, { waitMs: 300, onError: (e) => void errors.push(e) });
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(await server.stop(), 0);
    const deadline = Date.now() + 10_000;
    while (!errors.some((e) => e instanceof ConnectionError) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(errors.some((e) => e instanceof ConnectionError), `errors seen: ${errors.map(String).join('; ')}`);
    assert.equal(consumer.isRunning, true, 'the loop keeps going');
    await consumer.stop();
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    await server.kill();
  }
});

test('tokens: none, wrong, and without permission are typed 401/403 errors', { timeout: 30_000 }, async () => {
  const config = {
    tokens: [
      { name: 'admin', token: 'admin-secret-1', permissions: [{ queues: '*', actions: ['send', 'receive', 'manage'] }] },
      { name: 'reader', token: 'reader-secret-1', permissions: [{ queues: '*', actions: ['receive'] }] },
    ],
  };
  const server = await startServer({ config });
  try {
    const name = `sdk-a-${randomUUID().slice(0, 8)}`;
    const admin = new Chute({ url: server.url, token: 'admin-secret-1' });
    await admin.queue(name).create();
    const noToken = await new Chute({ url: server.url }).queue(name).send('x').catch((e: unknown) => e);
    assert.ok(noToken instanceof ChuteError);
    assert.equal(noToken.status, 401);
    assert.equal(noToken.code, 'Unauthorized');
    const wrong = await new Chute({ url: server.url, token: 'nope-nope-nope' }).queue(name).send('x').catch((e: unknown) => e);
    assert.ok(wrong instanceof ChuteError);
    assert.equal(wrong.status, 401);
    const reader = await new Chute({ url: server.url, token: 'reader-secret-1' }).queue(name).send('x').catch((e: unknown) => e);
    assert.ok(reader instanceof ChuteError);
    assert.equal(reader.status, 403);
    assert.equal(reader.code, 'Forbidden');
    assert.equal((await admin.queue(name).stats()).total, 0, 'nothing stored');
  } finally {
    await server.stop();
  }
});

test('many requests waiting on a channel when the broker dies leave no listener piling up on its socket', { timeout: 30_000 }, async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => void warnings.push(w);
  process.on('warning', onWarning);
  const server = await startServer();
  try {
    const chute = new Chute({ url: server.url, maxRetries: 0 });
    const q = chute.queue(`sdk-w-${randomUUID().slice(0, 8)}`);
    await q.create();
    const waits = Array.from({ length: 30 }, () => q.receive({ max: 1, waitMs: 20_000 }).catch((e: unknown) => e));
    await new Promise((r) => setTimeout(r, 300));
    await server.kill();
    const outcomes = await Promise.all(waits);
    assert.ok(outcomes.every((o) => o instanceof ConnectionError), outcomes.map(String).join('; '));
    // Process warnings are emitted on the next tick.
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(warnings.map((w) => w.message), []);
  } finally {
    process.off('warning', onWarning);
    await server.kill();
  }
});
