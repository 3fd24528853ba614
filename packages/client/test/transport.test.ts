import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Chute, ChuteError, ConnectionError } from '../src/index.js';

/** A local HTTP server answering from a script, to check retry and error mapping in isolation. */
async function scripted(answers: Array<{ status: number; body?: unknown; headers?: Record<string, string> }>) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    const a = answers[Math.min(seen.length - 1, answers.length - 1)]!;
    res.writeHead(a.status, { 'content-type': 'application/json', ...(a.headers ?? {}) });
    res.end(a.body === undefined ? '' : JSON.stringify(a.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const fast = { retryBackoff: { initialMs: 1, maxMs: 5 } };

test('error bodies become typed errors with code, status, field and limit', { timeout: 10_000 }, async () => {
  const s = await scripted([{ status: 413, body: { error: { code: 'MessageTooLarge', message: 'too big', field: 'body', limit: 1024 } } }]);
  try {
    const err = await new Chute({ url: s.url, ...fast }).queue('q').stats().catch((e: unknown) => e);
    assert.ok(err instanceof ChuteError);
    assert.equal(err.code, 'MessageTooLarge');
    assert.equal(err.status, 413);
    assert.equal(err.field, 'body');
    assert.equal(err.limit, 1024);
    assert.equal(s.seen.length, 1, 'a 413 is not retried');
  } finally {
    await s.close();
  }
});

test('429 is retried after Retry-After and then succeeds', { timeout: 10_000 }, async () => {
  const s = await scripted([
    { status: 429, body: { error: { code: 'QueueFull', message: 'full' } }, headers: { 'retry-after': '0' } },
    { status: 200, body: { purged: 3 } },
  ]);
  try {
    assert.equal(await new Chute({ url: s.url, ...fast }).queue('q').purge(), 3);
    assert.deepEqual(s.seen, ['POST /v1/queues/q/purge', 'POST /v1/queues/q/purge']);
  } finally {
    await s.close();
  }
});

test('a 503 that persists surfaces as the broker error with retryAfterMs', { timeout: 10_000 }, async () => {
  const s = await scripted([{ status: 503, body: { error: { code: 'ShuttingDown', message: 'bye' } }, headers: { 'retry-after': '1' } }]);
  try {
    const err = await new Chute({ url: s.url, maxRetries: 2, retryBackoff: { initialMs: 1, maxMs: 5 } })
      .queue('q')
      .get()
      .catch((e: unknown) => e);
    assert.ok(err instanceof ChuteError);
    assert.equal(err.code, 'ShuttingDown');
    assert.equal(err.retryAfterMs, 1000);
    assert.equal(s.seen.length, 3);
  } finally {
    await s.close();
  }
});

test('queue names are percent-encoded in paths', { timeout: 10_000 }, async () => {
  const s = await scripted([{ status: 200, body: { name: 'a b/c' } }]);
  try {
    await new Chute({ url: `${s.url}/`, ...fast }).queue('a b/c').get();
    assert.deepEqual(s.seen, ['GET /v1/queues/a%20b%2Fc']);
  } finally {
    await s.close();
  }
});

test('a refused connection is retried, then rejects with ConnectionError', { timeout: 10_000 }, async () => {
  const s = await scripted([{ status: 200 }]);
  const url = s.url;
  await s.close();
  const chute = new Chute({ url, maxRetries: 2, ...fast });
  const err = await chute.queue('q').send('x').catch((e: unknown) => e);
  assert.ok(err instanceof ConnectionError, String(err));
  assert.equal(err.code, 'ConnectionError');
  assert.equal(err.attempts, 3);
  assert.match(err.message, /ECONNREFUSED/);
});

test('a server without the channel gets sends and acks over HTTP, and channel: false never asks for it', { timeout: 10_000 }, async () => {
  const s = await scripted([{ status: 200, body: { results: [{ id: '0', ok: true, messageId: 'm1', sequence: '1', duplicate: false }] } }]);
  try {
    const receipt = await new Chute({ url: s.url, ...fast }).queue('q').send('hello');
    assert.equal(receipt.id, 'm1');
    // The upgrade is answered as a plain request (200), so the client goes on over HTTP.
    assert.deepEqual(s.seen, ['GET /v1/channel', 'POST /v1/queues/q/messages']);
    s.seen.length = 0;
    await new Chute({ url: s.url, channel: false, ...fast }).queue('q').send('again');
    assert.deepEqual(s.seen, ['POST /v1/queues/q/messages']);
  } finally {
    await s.close();
  }
});
