/**
 * Graceful shutdown of a real `chute serve` process: on SIGTERM a waiting long poll returns at
 * once (empty), a send whose body is still arriving is finished and confirmed, the process exits 0,
 * and after a restart on the same data directory the confirmed message is there. A channel whose
 * client does not answer the close holds the shutdown up no longer than limits.shutdownTimeoutMs.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { describe, it } from 'node:test';
import { callApi, startServer } from '../support/server-process.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts a raw send and returns a function that writes the rest of its body, and its response. */
function slowSend(url: string, queue: string, body: Buffer): { finish(): void; response: Promise<{ status: number; json: any }> } {
  const req = http.request(`${url}/v1/queues/${queue}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length) },
  });
  const response = new Promise<{ status: number; json: any }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text === '' ? undefined : JSON.parse(text) }));
    });
    req.on('error', reject);
  });
  const half = Math.floor(body.length / 2);
  req.write(body.subarray(0, half));
  return { finish: () => req.end(body.subarray(half)), response };
}

describe('graceful shutdown', { timeout: 120_000 }, () => {
  it('ends long polls, finishes an in-flight send, exits 0, and loses nothing', async () => {
    const server = await startServer();
    const queue = `shutdown-${randomUUID().slice(0, 8)}`;
    const waitQueue = `${queue}-idle`;
    assert.equal((await callApi(server.url, 'PUT', `/v1/queues/${queue}`)).status, 201);
    assert.equal((await callApi(server.url, 'PUT', `/v1/queues/${waitQueue}`)).status, 201);

    const pollStarted = Date.now();
    const poll = callApi(server.url, 'POST', `/v1/queues/${waitQueue}/receive`, { json: { waitMs: 20_000 } });
    const body = randomBytes(256 * 1024);
    const send = slowSend(server.url, queue, body);
    await sleep(500);

    server.proc.kill('SIGTERM');
    const polled = await poll;
    assert.equal(polled.status, 200);
    assert.deepEqual(polled.body, { messages: [] });
    assert.ok(Date.now() - pollStarted < 10_000, 'the long poll ended early');

    await sleep(300);
    send.finish();
    const sent = await send.response;
    assert.equal(sent.status, 201, JSON.stringify(sent.json));
    assert.equal(typeof sent.json.id, 'string');
    assert.equal(await server.exited, 0, server.stderr());
    assert.match(server.stderr(), /"event":"stopped"/);

    const again = await startServer({ dataDir: server.dataDir });
    try {
      const peek = await callApi(again.url, 'GET', `/v1/queues/${queue}/messages?bodyEncoding=base64`);
      assert.equal(peek.status, 200);
      assert.equal(peek.body.messages.length, 1);
      assert.equal(peek.body.messages[0].id, sent.json.id);
      assert.ok(Buffer.from(peek.body.messages[0].body, 'base64').equals(body));
    } finally {
      assert.equal(await again.stop(), 0, again.stderr());
    }
  });

  it('a channel whose client does not answer the close holds the shutdown up no longer than shutdownTimeoutMs', async () => {
    const shutdownTimeoutMs = 1_000;
    const server = await startServer({ config: { limits: { shutdownTimeoutMs } } });
    // A channel opened by hand, whose client then neither reads nor writes: it never answers the
    // server's close frame (ws alone would wait 30 s for it).
    const socket = net.connect(server.port, '127.0.0.1');
    socket.on('error', () => undefined);
    const upgraded = new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString('latin1'))));
    socket.write(
      'GET /v1/channel HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    assert.match(await upgraded, /^HTTP\/1.1 101/);
    socket.pause();
    try {
      const started = Date.now();
      server.proc.kill('SIGTERM');
      assert.equal(await server.exited, 0, server.stderr());
      const tookMs = Date.now() - started;
      assert.ok(tookMs < shutdownTimeoutMs + 9_000, `the shutdown took ${tookMs} ms`);
      assert.match(server.stderr(), /"event":"shutdown.timeout"/);
    } finally {
      socket.destroy();
    }
  });

  it('SIGINT stops an idle server with exit code 0', async () => {
    const server = await startServer();
    server.proc.kill('SIGINT');
    assert.equal(await server.exited, 0);
  });
});
