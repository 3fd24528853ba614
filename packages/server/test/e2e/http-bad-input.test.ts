/**
 * Bad input against a real `chute serve` process: malformed JSON, wrong types, unknown fields,
 * oversized bodies, unknown queues, stale receipts, batches too large, slow-loris clients and
 * memory pressure all get a clear error (or a cut-off connection), never a crash, and the server
 * keeps serving others.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { callApi, startServer, type RunningServer } from '../support/server-process.js';

const name = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;
const MIB = 1024 * 1024;
const sendLimitBytes = 2 * MIB;

describe('bad input', { timeout: 120_000 }, () => {
  let server: RunningServer;
  let url: string;
  let q: string;
  before(async () => {
    server = await startServer({
      config: { limits: { headersTimeoutMs: 1000, requestTimeoutMs: 3000, maxRequestBytes: sendLimitBytes } },
    });
    url = server.url;
    q = name('bad');
    assert.equal((await callApi(url, 'PUT', `/v1/queues/${q}`, { json: { maxMessageBytes: 1000 } })).status, 201);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  async function total(queue: string): Promise<number> {
    return (await callApi(url, 'GET', `/v1/queues/${queue}/stats`)).body.total;
  }

  it('malformed JSON is 400 InvalidArgument naming the body', async () => {
    const res = await callApi(url, 'POST', `/v1/queues/${q}/messages`, { raw: '{"body": "x"', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'InvalidArgument');
    assert.equal(res.body.error.field, 'body');
    assert.equal(await total(q), 0);
  });

  it('a "__proto__" key anywhere is refused, not silently dropped', async () => {
    const escaped = String.raw`{"body":"x","\u005f_proto__":{"priority":1}}`;
    for (const raw of ['{"body":"x","headers":{"__proto__":{"base64":"AA=="}}}', '{"body":"x","__proto__":{"priority":1}}', escaped]) {
      const res = await callApi(url, 'POST', `/v1/queues/${q}/messages`, { raw, headers: { 'content-type': 'application/json' } });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'InvalidArgument');
      assert.match(res.body.error.message, /holds a "__proto__" key/, raw);
    }
    assert.equal(await total(q), 0);
  });

  it('errors name fields as the request wrote them: queue settings at the top, batch entry ids as "id"', async () => {
    const vt = await callApi(url, 'PUT', `/v1/queues/${name('cfg')}`, { json: { visibilityTimeoutMs: 43_200_001 } });
    assert.equal(vt.status, 400);
    assert.equal(vt.body.error.field, 'visibilityTimeoutMs');
    assert.equal(vt.body.error.limit, 43_200_000);
    const ids = await callApi(url, 'POST', `/v1/queues/${q}/messages`, { json: { messages: [{ id: 'a:b', body: 'x' }] } });
    assert.equal(ids.status, 400);
    assert.equal(ids.body.error.code, 'InvalidBatchEntryId');
    assert.equal(ids.body.error.field, 'messages[0].id');
    assert.equal(await total(q), 0);
  });

  it('wrong types are 400 naming the field, without coercion', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['/messages', { body: 'x', priority: '5' }, 'priority'],
      ['/messages', { body: 42 }, 'body'],
      ['/messages', { messages: [{ body: 'ok' }, { body: 'x', headers: { h: true } }] }, 'messages[1].headers.h'],
      ['/messages', { body: 'x', bodyEncoding: 'hex' }, 'bodyEncoding'],
      ['/receive', { max: 'ten' }, 'max'],
      ['/ack', { receipts: 'abc' }, 'receipts'],
      ['/nack', { entries: [{ delayMs: 5 }] }, 'entries[0].receipt'],
    ];
    for (const [path, json, field] of cases) {
      const res = await callApi(url, 'POST', `/v1/queues/${q}${path}`, { json });
      assert.equal(res.status, 400, `${path} ${JSON.stringify(json)}`);
      assert.equal(res.body.error.code, 'InvalidArgument');
      assert.equal(res.body.error.field, field, `${path} ${JSON.stringify(json)}`);
    }
    const query = await callApi(url, 'GET', `/v1/queues/${q}/messages?max=lots`);
    assert.equal(query.status, 400);
    assert.equal(query.body.error.field, 'max');
    assert.equal(await total(q), 0);
  });

  it('type and choice errors say what is allowed, and a value below its range names the minimum', async () => {
    const choice = await callApi(url, 'POST', `/v1/queues/${q}/messages`, { json: { body: 'x', bodyEncoding: 'hex' } });
    assert.equal(choice.body.error.message, 'bodyEncoding must be one of "utf8", "base64"');
    const union = await callApi(url, 'POST', `/v1/queues/${q}/messages`, { json: { body: 'x', headers: { a: true } } });
    assert.equal(union.body.error.message, 'headers.a must be a string, a number or an object');
    const nullable = await callApi(url, 'PUT', `/v1/queues/${name('cfg')}`, { json: { maxBytes: 'big' } });
    assert.equal(nullable.body.error.message, 'maxBytes must be an integer or null');
    const whole = await callApi(url, 'POST', `/v1/queues/${q}/messages`, { raw: '[1,2,3]', headers: { 'content-type': 'application/json' } });
    assert.equal(whole.status, 400);
    assert.equal(whole.body.error.field, 'body');
    assert.equal(whole.body.error.message, 'request body must be an object');
    for (const [json, field, limit] of [
      [{ retentionMs: 999 }, 'retentionMs', 1000],
      [{ maxLength: 0 }, 'maxLength', 1],
    ] as const) {
      const res = await callApi(url, 'PUT', `/v1/queues/${name('cfg')}`, { json });
      assert.equal(res.status, 400, JSON.stringify(json));
      assert.equal(res.body.error.field, field);
      assert.equal(res.body.error.limit, limit, JSON.stringify(res.body.error));
    }
    assert.equal(await total(q), 0);
  });

  it('an unknown field is refused by name', async () => {
    const res = await callApi(url, 'POST', `/v1/queues/${q}/messages`, { json: { body: 'x', delay: 5 } });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.field, 'delay');
    const cfg = await callApi(url, 'PATCH', `/v1/queues/${q}`, { json: { visibility: 5 } });
    assert.equal(cfg.status, 400);
    assert.equal(cfg.body.error.field, 'visibility');
  });

  it('an out-of-range value is refused by the broker with the field and the limit', async () => {
    const res = await callApi(url, 'POST', `/v1/queues/${q}/messages`, { json: { body: 'x', delayMs: 24 * 3600 * 1000 } });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'InvalidArgument');
    assert.match(res.body.error.field, /delayMs/);
    assert.equal(typeof res.body.error.limit, 'number');
  });

  it('a message larger than the queue allows is 413 MessageTooLarge with the limit', async () => {
    const res = await callApi(url, 'POST', `/v1/queues/${q}/messages`, { json: { body: 'x'.repeat(1001) } });
    assert.equal(res.status, 413);
    assert.equal(res.body.error.code, 'MessageTooLarge');
    assert.equal(res.body.error.limit, 1000);
    assert.equal(res.body.error.field, 'body');
    const inBatch = await callApi(url, 'POST', `/v1/queues/${q}/messages`, { json: { messages: [{ body: 'ok' }, { body: 'x'.repeat(1001) }] } });
    assert.equal(inBatch.status, 200);
    assert.equal(inBatch.body.results[1].error.code, 'MessageTooLarge');
    assert.equal(inBatch.body.results[1].error.field, 'messages[1].body');
    // After an entry that cannot even be decoded, the broker's refusals still name the entry's own place.
    const afterBad = await callApi(url, 'POST', `/v1/queues/${q}/messages`, {
      json: { messages: [{ body: '%%%', bodyEncoding: 'base64' }, { body: 'x'.repeat(1001) }, { body: 'ok' }] },
    });
    assert.deepEqual(
      afterBad.body.results.map((r: { ok: boolean; error?: { field: string } }) => (r.ok ? 'ok' : r.error?.field)),
      ['messages[0].body', 'messages[1].body', 'ok'],
    );
    await callApi(url, 'POST', `/v1/queues/${q}/purge`);
    assert.equal(await total(q), 0);
  });

  it('a request body over the route limit is 413 RequestTooLarge, refused before it is read', async () => {
    const big = await callApi(url, 'POST', `/v1/queues/${q}/messages`, { raw: new Uint8Array(sendLimitBytes + 1) });
    assert.equal(big.status, 413);
    assert.equal(big.body.error.code, 'RequestTooLarge');
    assert.equal(big.body.error.limit, sendLimitBytes);
    const control = await callApi(url, 'POST', `/v1/queues/${q}/ack`, { json: { receipts: ['r'.repeat(2 * MIB)] } });
    assert.equal(control.status, 413);
    assert.equal(control.body.error.code, 'RequestTooLarge');
    assert.equal(await total(q), 0);
  });

  it('an oversized chunked body (no Content-Length) is cut off at the limit', async () => {
    // A raw socket, because the server answers 413 and closes while the client is still writing:
    // fetch would report the broken pipe of its own write instead of the answer the server sent.
    const { port } = new URL(url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1');
      let received = '';
      socket.on('data', (d) => (received += d.toString('latin1')));
      socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
      socket.on('close', () => resolve(received));
      socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
      socket.write(`POST /v1/queues/${q}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n`);
      const chunk = Buffer.alloc(MIB, 1);
      for (let i = 0; i < 3 && !socket.destroyed; i++) {
        socket.write(`${chunk.length.toString(16)}\r\n`);
        socket.write(chunk);
        socket.write('\r\n');
      }
      socket.end('0\r\n\r\n');
    });
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.match(answer, /"code":"RequestTooLarge"/);
    assert.equal(await total(q), 0);
  });

  it('an unknown queue is 404, an invalid name 400', async () => {
    const missing = await callApi(url, 'POST', `/v1/queues/${name('missing')}/messages`, { json: { body: 'x' } });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'QueueNotFound');
    const invalid = await callApi(url, 'PUT', `/v1/queues/${'x'.repeat(200)}`);
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.error.code, 'InvalidQueueName');
  });

  it('a stale receipt is 409 and does not touch the later lease', async () => {
    const sq = name('stale');
    await callApi(url, 'PUT', `/v1/queues/${sq}`);
    await callApi(url, 'POST', `/v1/queues/${sq}/messages`, { json: { body: 'once' } });
    const first = (await callApi(url, 'POST', `/v1/queues/${sq}/receive`, { json: {} })).body.messages[0];
    await callApi(url, 'POST', `/v1/queues/${sq}/nack`, { json: { entries: [{ receipt: first.receipt }] } });
    const second = (await callApi(url, 'POST', `/v1/queues/${sq}/receive`, { json: {} })).body.messages[0];
    assert.notEqual(second.receipt, first.receipt);
    const stale = await callApi(url, 'POST', `/v1/queues/${sq}/ack`, { json: { receipts: [first.receipt] } });
    assert.equal(stale.status, 409);
    assert.ok(['ReceiptInvalid', 'LeaseExpired'].includes(stale.body.error.code), stale.body.error.code);
    const staleExtend = await callApi(url, 'POST', `/v1/queues/${sq}/extend`, { json: { entries: [{ receipt: first.receipt, visibilityTimeoutMs: 1000 }] } });
    assert.equal(staleExtend.status, 409);
    assert.equal((await callApi(url, 'GET', `/v1/queues/${sq}/stats`)).body.leased, 1);
    const garbage = await callApi(url, 'POST', `/v1/queues/${sq}/ack`, { json: { receipts: ['not-a-receipt'] } });
    assert.equal(garbage.status, 409);
  });

  it('a batch over 1000 entries is 400 BatchTooLarge; an empty one 400 EmptyBatch; duplicate ids 400', async () => {
    const tooMany = await callApi(url, 'POST', `/v1/queues/${q}/messages`, { json: { messages: Array.from({ length: 1001 }, () => ({ body: 'x' })) } });
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.body.error.code, 'BatchTooLarge');
    assert.equal(tooMany.body.error.limit, 1000);
    const empty = await callApi(url, 'POST', `/v1/queues/${q}/messages`, { json: { messages: [] } });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.error.code, 'EmptyBatch');
    const dup = await callApi(url, 'POST', `/v1/queues/${q}/messages`, { json: { messages: [{ id: 'a', body: '1' }, { id: 'a', body: '2' }] } });
    assert.equal(dup.status, 400);
    assert.equal(dup.body.error.code, 'BatchEntryIdsNotDistinct');
    assert.equal(await total(q), 0);
  });

  it('other media types are 415; query options on a JSON send are refused', async () => {
    const text = await callApi(url, 'POST', `/v1/queues/${q}/messages`, { raw: 'hello', headers: { 'content-type': 'text/plain' } });
    assert.equal(text.status, 415);
    assert.equal(text.body.error.code, 'UnsupportedMediaType');
    const rawElsewhere = await callApi(url, 'POST', `/v1/queues/${q}/receive`, { raw: new Uint8Array(4) });
    assert.equal(rawElsewhere.status, 415);
    const query = await callApi(url, 'POST', `/v1/queues/${q}/messages?priority=3`, { json: { body: 'x' } });
    assert.equal(query.status, 400);
    assert.equal(query.body.error.field, 'priority');
    assert.equal(await total(q), 0);
  });

  it('a slow-loris client that sends headers slowly is cut off while others are served', async () => {
    const { port } = server;
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let received = '';
    socket.setEncoding('utf8').on('data', (d: string) => (received += d));
    const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
    socket.on('error', () => {});
    const started = Date.now();
    socket.write(`POST /v1/queues/${q}/messages HTTP/1.1\r\nHost: localhost\r\n`);
    const drip = setInterval(() => {
      if (!socket.destroyed) socket.write('X-Slow: 1\r\n');
    }, 200);
    try {
      // Meanwhile the server answers everyone else at once.
      for (let i = 0; i < 3; i++) {
        const t0 = Date.now();
        assert.equal((await callApi(url, 'GET', '/healthz')).status, 200);
        assert.ok(Date.now() - t0 < 500);
      }
      const closedAt = await Promise.race([closed, new Promise<number>((_, reject) => setTimeout(() => reject(new Error('slow client was never cut off')), 10_000))]);
      assert.ok(closedAt - started < 5_000, `cut off after ${closedAt - started} ms`);
      assert.ok(received === '' || received.startsWith('HTTP/1.1 408'), received);
      if (received !== '') assert.match(received, /\{"error":\{"code":"RequestTimeout","message":"[^"]+"\}\}$/, 'the API error shape');
    } finally {
      clearInterval(drip);
      socket.destroy();
    }
    assert.equal((await callApi(url, 'GET', '/healthz')).status, 200);
  });
});

describe('memory pressure', { timeout: 60_000 }, () => {
  it('sends get 429 Overloaded with Retry-After while memory is above its bound; reads still work', async () => {
    const server = await startServer({ config: { limits: { maxRssBytes: 1 * MIB } } });
    try {
      const q = name('mem');
      assert.equal((await callApi(server.url, 'PUT', `/v1/queues/${q}`)).status, 201);
      const res = await callApi(server.url, 'POST', `/v1/queues/${q}/messages`, { json: { body: 'x' } });
      assert.equal(res.status, 429);
      assert.equal(res.body.error.code, 'Overloaded');
      assert.ok(Number(res.headers.get('retry-after')) >= 1);
      const stats = await callApi(server.url, 'GET', `/v1/queues/${q}/stats`);
      assert.equal(stats.status, 200);
      assert.equal(stats.body.total, 0);
      assert.equal((await callApi(server.url, 'POST', `/v1/queues/${q}/receive`, { json: {} })).status, 200);
      // The SQS API is held back the same way.
      const sqs = await fetch(`${server.url}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' },
        body: JSON.stringify({ QueueUrl: `${server.url}/000000000000/${q}`, MessageBody: 'x' }),
      });
      assert.ok(sqs.status >= 400, `SQS send answered ${sqs.status}`);
      assert.match(await sqs.text(), /RequestThrottled/);
      assert.equal((await callApi(server.url, 'GET', `/v1/queues/${q}/stats`)).body.total, 0);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});
