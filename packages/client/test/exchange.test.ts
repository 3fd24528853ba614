import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Chute } from '../src/index.js';
import { nodeExchange } from '../src/exchange.js';

/** A server that sends its answer's headers at once and the body `bodyAfterMs` later. */
async function slowBody(bodyAfterMs: number, headersAfterMs = 0) {
  const server = http.createServer((req, res) => {
    req.resume();
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      setTimeout(() => res.end('{"messages":["leased"]}'), bodyAfterMs);
    }, headersAfterMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('a wait signal aborted once the answer has started still gets the whole answer', { timeout: 10_000 }, async () => {
  const s = await slowBody(200);
  const exchange = nodeExchange();
  try {
    const wait = new AbortController();
    const pending = exchange({ method: 'POST', url: s.url, headers: {}, body: '{}', signal: new AbortController().signal, waitSignal: wait.signal });
    await new Promise((r) => setTimeout(r, 100)); // headers are in, the body is not
    wait.abort(new Error('stopping'));
    const res = await pending;
    assert.equal(res.status, 200);
    assert.equal(res.body.toString('utf8'), '{"messages":["leased"]}');
  } finally {
    await s.close();
  }
});

test('a wait signal aborted before any answer ends the request with its reason; signal ends it at any point', { timeout: 10_000 }, async () => {
  const s = await slowBody(200, 300);
  const exchange = nodeExchange();
  try {
    const wait = new AbortController();
    const early = exchange({ method: 'POST', url: s.url, headers: {}, body: '{}', signal: new AbortController().signal, waitSignal: wait.signal });
    setTimeout(() => wait.abort(new Error('stopping')), 50);
    await assert.rejects(early, /stopping/);

    const hard = new AbortController();
    const cut = exchange({ method: 'POST', url: s.url, headers: {}, body: '{}', signal: hard.signal });
    setTimeout(() => hard.abort(new Error('cut')), 400); // after the headers, before the body
    await assert.rejects(cut, (e: unknown) => e instanceof Error);
  } finally {
    await s.close();
  }
});

test('receive() aborted while the broker\'s answer is arriving returns the leased messages instead of dropping them', { timeout: 10_000 }, async () => {
  const entry = { id: 'm1', sequence: '1', headers: {}, priority: 0, enqueuedAt: 1, deliveryCount: 1, receipt: '1.1.abcdefghijkl', leaseExpiresAt: 2, bodyBytes: 5 };
  const json = Buffer.from(JSON.stringify({ messages: [entry] }));
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(json.length, 0);
  const frame = Buffer.concat([prefix, json, Buffer.from('hello')]);
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/vnd.chute.batch', 'content-length': frame.length });
    res.write(frame.subarray(0, 10)); // the answer has started ...
    setTimeout(() => res.end(frame.subarray(10)), 200); // ... and ends after the caller aborted
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  // Over HTTP: the channel's receive is cancelled by message and answered whole (http-channel.test.ts).
  const chute = new Chute({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, channel: false });
  try {
    const stop = new AbortController();
    const pending = chute.queue('q').receive({ max: 1, waitMs: 1000, signal: stop.signal });
    setTimeout(() => stop.abort(), 100);
    const got = await pending;
    assert.equal(got.length, 1, 'the message leased for this receive comes back to the caller');
    assert.equal(got[0]?.receipt, '1.1.abcdefghijkl');
    assert.equal(got[0]?.text(), 'hello');
  } finally {
    await chute.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
