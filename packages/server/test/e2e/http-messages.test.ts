/**
 * Message bodies and long polls over the native API against a real `chute serve` process: binary
 * bodies round-trip byte for byte (base64 in JSON and raw octet-stream), and a waiting receive
 * returns as soon as a message arrives.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { callApi, startServer, type RunningServer } from '../support/server-process.js';

const name = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

describe('message bodies and long polls', { timeout: 120_000 }, () => {
  let server: RunningServer;
  let url: string;
  before(async () => {
    server = await startServer();
    url = server.url;
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  async function receiveOne(q: string, bodyEncoding?: 'auto' | 'base64'): Promise<any> {
    const res = await callApi(url, 'POST', `/v1/queues/${q}/receive`, { json: { max: 1, autoAck: true, ...(bodyEncoding && { bodyEncoding }) } });
    assert.equal(res.status, 200);
    assert.equal(res.body.messages.length, 1);
    return res.body.messages[0];
  }

  it('a binary body sent as base64 JSON comes back as the same bytes', async () => {
    const q = name('bin');
    await callApi(url, 'PUT', `/v1/queues/${q}`);
    // Every byte value, plus random bytes: certainly not valid UTF-8.
    const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(4096)]);
    const sent = await callApi(url, 'POST', `/v1/queues/${q}/messages`, {
      json: { body: bytes.toString('base64'), bodyEncoding: 'base64', headers: { raw: { base64: randomBytes(16).toString('base64') } } },
    });
    assert.equal(sent.status, 201);
    const m = await receiveOne(q);
    assert.equal(m.bodyEncoding, 'base64');
    assert.ok(Buffer.from(m.body, 'base64').equals(bytes));
    assert.equal(typeof m.headers.raw.base64, 'string');
  });

  it('a raw application/octet-stream body round-trips, with options from the query and headers from X-Chute-Header-*', async () => {
    const q = name('raw');
    await callApi(url, 'PUT', `/v1/queues/${q}`);
    const bytes = randomBytes(64 * 1024);
    const sent = await callApi(url, 'POST', `/v1/queues/${q}/messages?priority=5&dedupId=raw-1`, {
      raw: bytes,
      headers: { 'X-Chute-Header-Trace': 'abc-123', 'X-Chute-Header-Note': Buffer.from('café', 'utf8').toString('latin1') },
    });
    assert.equal(sent.status, 201);
    assert.equal(sent.body.duplicate, false);
    const m = await receiveOne(q, 'base64');
    assert.ok(Buffer.from(m.body, 'base64').equals(bytes));
    assert.equal(m.priority, 5);
    assert.equal(m.dedupId, 'raw-1');
    assert.deepEqual(m.headers, { trace: 'abc-123', note: 'café' });
    // The same dedup id again inside the window stores nothing and answers the first message's id.
    const again = await callApi(url, 'POST', `/v1/queues/${q}/messages?dedupId=raw-1`, { raw: bytes });
    assert.equal(again.status, 201);
    assert.deepEqual([again.body.id, again.body.duplicate], [sent.body.id, true]);
  });

  it('an empty raw body is an empty message', async () => {
    const q = name('empty');
    await callApi(url, 'PUT', `/v1/queues/${q}`);
    const sent = await callApi(url, 'POST', `/v1/queues/${q}/messages`, { raw: new Uint8Array(0) });
    assert.equal(sent.status, 201);
    const m = await receiveOne(q);
    assert.equal(m.body, '');
  });

  it('UTF-8 text, including a byte-order mark and emoji, comes back as the same text', async () => {
    const q = name('text');
    await callApi(url, 'PUT', `/v1/queues/${q}`);
    const text = '\uFEFFgrüße 👋 — 東京';
    await callApi(url, 'POST', `/v1/queues/${q}/messages`, { json: { body: text } });
    const m = await receiveOne(q);
    assert.equal(m.bodyEncoding, 'utf8');
    assert.equal(m.body, text);
    await callApi(url, 'POST', `/v1/queues/${q}/messages`, { json: { body: text } });
    const asBase64 = await receiveOne(q, 'base64');
    assert.equal(asBase64.bodyEncoding, 'base64');
    assert.ok(Buffer.from(asBase64.body, 'base64').equals(Buffer.from(text, 'utf8')));
  });

  it('a long-poll receive returns as soon as a message arrives', async () => {
    const q = name('poll');
    await callApi(url, 'PUT', `/v1/queues/${q}`);
    const started = Date.now();
    const waiting = callApi(url, 'POST', `/v1/queues/${q}/receive`, { json: { waitMs: 10_000 } });
    await new Promise((r) => setTimeout(r, 500));
    await callApi(url, 'POST', `/v1/queues/${q}/messages`, { json: { body: 'wake up' } });
    const res = await waiting;
    const elapsed = Date.now() - started;
    assert.equal(res.status, 200);
    assert.equal(res.body.messages[0].body, 'wake up');
    assert.ok(elapsed >= 400 && elapsed < 5_000, `long poll took ${elapsed} ms`);
  });

  it('a long-poll receive on an empty queue returns empty after its wait', async () => {
    const q = name('idle');
    await callApi(url, 'PUT', `/v1/queues/${q}`);
    const started = Date.now();
    const res = await callApi(url, 'POST', `/v1/queues/${q}/receive`, { json: { waitMs: 700 } });
    const elapsed = Date.now() - started;
    assert.deepEqual(res.body, { messages: [] });
    assert.ok(elapsed >= 600 && elapsed < 5_000, `long poll took ${elapsed} ms`);
  });

  it('a batch of base64 bodies keeps each entry apart; a bad base64 entry fails alone', async () => {
    const q = name('batch');
    await callApi(url, 'PUT', `/v1/queues/${q}`);
    const bodies = [randomBytes(10), randomBytes(20), randomBytes(30)];
    const res = await callApi(url, 'POST', `/v1/queues/${q}/messages`, {
      json: {
        messages: [
          ...bodies.map((b, i) => ({ id: `e${i}`, body: b.toString('base64'), bodyEncoding: 'base64' })),
          { id: 'bad', body: 'not base64!', bodyEncoding: 'base64' },
        ],
      },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.results.map((r: { ok: boolean }) => r.ok), [true, true, true, false]);
    assert.equal(res.body.results[3].error.code, 'InvalidArgument');
    assert.equal(res.body.results[3].error.field, 'messages[3].body');
    const got = await callApi(url, 'POST', `/v1/queues/${q}/receive`, { json: { max: 10, bodyEncoding: 'base64' } });
    assert.deepEqual(
      got.body.messages.map((m: { body: string }) => m.body),
      bodies.map((b) => b.toString('base64')),
    );
  });
});
