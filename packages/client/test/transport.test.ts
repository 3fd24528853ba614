import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';
import { WebSocketServer } from 'ws';
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

/**
 * A WebSocket server standing in for the broker's channel: `answer` decides, per connection (0,
 * 1, ...) and request, what goes back (nothing for undefined). It answers no pings.
 */
async function channelServer(answer: (connection: number, request: { id: number; op: string }) => Buffer | undefined) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  let connections = 0;
  wss.on('connection', (ws) => {
    const connection = connections++;
    ws.on('message', (data: Buffer) => {
      const header = JSON.parse(data.toString('utf8', 4, 4 + data.readUInt32BE(0))) as { id: number; op: string };
      const out = answer(connection, header);
      if (out !== undefined) ws.send(out);
    });
  });
  const url = `http://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  return { url, connections: () => connections, close: () => new Promise<void>((r) => wss.close(() => r())) };
}

/** A channel answer: 4-byte length, JSON header. */
function channelAnswer(header: object): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(json.length);
  return Buffer.concat([prefix, json]);
}

const sentOk = (id: number): Buffer => channelAnswer({ id, status: 200, body: { results: [{ id: '0', ok: true, messageId: `m${id}`, sequence: '1', duplicate: false }] } });

test('an answer that is not a channel answer fails the request and drops the connection, and the next request opens a new one', { timeout: 10_000 }, async () => {
  const garbage = [Buffer.from([1, 2]), Buffer.from([0, 0, 0, 3, 0x7b, 0x7b, 0x7b]), Buffer.from([0, 0, 0, 99, 0x7b, 0x7d]), channelAnswer({ id: 'one', status: 200 })];
  for (const bad of garbage) {
    const s = await channelServer((connection, r) => (connection === 0 ? bad : sentOk(r.id)));
    const chute = new Chute({ url: s.url, maxRetries: 0, requestTimeoutMs: 5_000 });
    try {
      const started = Date.now();
      const err = await chute.queue('q').send('x').catch((e: unknown) => e);
      assert.ok(err instanceof ChuteError && err.code === 'BadResponse', `${bad.toString('hex')}: ${String(err)}`);
      assert.ok(Date.now() - started < 2_000, 'failed at once, not at the time limit');
      assert.equal((await chute.queue('q').send('y')).id, 'm2');
      assert.equal(s.connections(), 2);
    } finally {
      await chute.close();
      await s.close();
    }
  }
});

test('a connection that stops answering, pings included, is dropped after a request times out', { timeout: 10_000 }, async () => {
  // The first connection answers its first request only, then is silent as a dead peer.
  const s = await channelServer((connection, r) => (connection === 0 && r.id > 1 ? undefined : sentOk(r.id)));
  const chute = new Chute({ url: s.url, maxRetries: 0, requestTimeoutMs: 300 });
  try {
    const q = chute.queue('q');
    assert.equal((await q.send('one')).id, 'm1');
    const err = await q.send('two').catch((e: unknown) => e);
    assert.ok(err instanceof ChuteError && err.code === 'Timeout', String(err));
    await new Promise((r) => setTimeout(r, 800));
    assert.equal((await q.send('three')).id, 'm3');
    assert.equal(s.connections(), 2);
  } finally {
    await chute.close();
    await s.close();
  }
});

test('a receive cancelled while the channel is still connecting ends at once', { timeout: 20_000 }, async () => {
  // Takes the connection and never answers the upgrade.
  const sockets: Socket[] = [];
  const server = net.createServer((socket) => void sockets.push(socket));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const chute = new Chute({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, maxRetries: 0, requestTimeoutMs: 3_000 });
  try {
    const stop = new AbortController();
    const started = Date.now();
    const pending = chute.queue('q').receive({ waitMs: 5_000, signal: stop.signal });
    setTimeout(() => stop.abort(), 100);
    assert.deepEqual(await pending, []);
    assert.ok(Date.now() - started < 1_500, `ended after ${Date.now() - started} ms`);
  } finally {
    await chute.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('a queue\'s requests keep to one channel connection; several queues spread over up to four', { timeout: 10_000 }, async () => {
  const s = await channelServer((_connection, r) => sentOk(r.id));
  const chute = new Chute({ url: s.url, maxRetries: 0 });
  try {
    for (let i = 0; i < 20; i++) await chute.queue('orders').send(`m${i}`);
    assert.equal(s.connections(), 1);
    await Promise.all(Array.from({ length: 12 }, (_, i) => chute.queue(`fanout-q${i}`).send('x')));
    assert.ok(s.connections() > 1 && s.connections() <= 4, `${s.connections()} connections`);
  } finally {
    await chute.close();
    await s.close();
  }
});
