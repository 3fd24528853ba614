/**
 * The channel (`/v1/channel`) spoken directly with a WebSocket client, built from the layout in
 * docs/http-api.md rather than the SDK's code: sends, receives, acks and nacks answered by id,
 * many at once; a cancelled or ended receive answers at once; tokens are checked on the upgrade;
 * bad requests get the HTTP route's error naming the field, a message that is no request closes
 * the channel, and nothing stored is lost either way. Bad peers (resets during the upgrade, a
 * reason too long for a close frame, a client that does not read) neither bring the server down
 * nor leave it holding sockets or answers, and a request over a limit fails as over HTTP. The
 * server pings its channels and closes one whose client answers no ping, ending its waiting
 * receives (tested on a server in this process, pinging every 100 ms rather than every 30 s).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Chute, ChuteError } from '@chutemq/client';
import Fastify, { type FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import type { Broker } from '../../src/core/broker.js';
import { openBroker } from '../../src/open-broker.js';
import { channelRequestsInFlightMax, registerChannel } from '../../src/protocols/http/channel.js';
import { RequestAccess, type HttpApiOptions } from '../../src/protocols/http/context.js';
import { NamedPolls } from '../../src/protocols/http/named-polls.js';
import { callApi, startServer, type RunningServer } from '../support/server-process.js';
import { randomName, tempDir } from '../support/temp.js';

/** An answer: the header's fields and the payload after it. */
interface Answer {
  id: number;
  status: number;
  // Tests read deep into answers; a wrong guess fails the assertion.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body?: any;
  framed?: boolean;
  retryAfter?: number;
  payload: Buffer;
}

function message(header: object, payload: Buffer = Buffer.alloc(0)): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(json.length);
  return Buffer.concat([prefix, json, payload]);
}

function frame(entries: object[], bodies: Buffer[]): Buffer {
  const json = Buffer.from(JSON.stringify({ messages: entries }));
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(json.length);
  return Buffer.concat([prefix, json, ...bodies]);
}

function unframe(bytes: Buffer): Array<{ entry: Record<string, unknown>; body: Buffer }> {
  const jsonEnd = 4 + bytes.readUInt32BE(0);
  const { messages } = JSON.parse(bytes.toString('utf8', 4, jsonEnd)) as { messages: Array<Record<string, unknown> & { bodyBytes: number }> };
  let at = jsonEnd;
  return messages.map((entry) => {
    const body = bytes.subarray(at, at + entry.bodyBytes);
    at += entry.bodyBytes;
    return { entry, body };
  });
}

/** A channel client: requests by id, answers matched to them. */
class Client {
  readonly answers = new Map<number, (a: Answer) => void>();
  readonly closed: Promise<{ code: number; reason: string }>;
  private nextId = 1;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const end = 4 + data.readUInt32BE(0);
      const header = JSON.parse(data.toString('utf8', 4, end)) as Omit<Answer, 'payload'>;
      this.answers.get(header.id)?.({ ...header, payload: data.subarray(end) });
      this.answers.delete(header.id);
    });
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })));
  }

  static open(url: string, headers: Record<string, string> = {}, options: WebSocket.ClientOptions = {}): Promise<Client> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/channel`, { ...options, headers });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Client(ws)));
      ws.once('error', reject);
    });
  }

  /** Sends a request (its id is filled in) and resolves with the answer. */
  request(header: Record<string, unknown>, payload?: Buffer): Promise<Answer> {
    const id = typeof header.id === 'number' ? header.id : this.nextId++;
    const answered = new Promise<Answer>((resolve) => this.answers.set(id, resolve));
    this.ws.send(message({ ...header, id }, payload));
    return answered;
  }

  close(): void {
    this.ws.close();
  }
}

/** The status an upgrade attempt gets refused with. */
function refusedUpgrade(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}${path}`, { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => reject(new Error('the upgrade was accepted')));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', () => undefined);
  });
}

/** Creates a queue with a random name on `server` and returns the name. */
async function createQueue(server: RunningServer): Promise<string> {
  const q = `channel-${randomUUID().slice(0, 8)}`;
  assert.equal((await callApi(server.url, 'PUT', `/v1/queues/${q}`)).status, 201);
  return q;
}

describe('the channel', { timeout: 60_000 }, () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.stop();
  });

  const newQueue = (): Promise<string> => createQueue(server);
  const ready = async (q: string): Promise<number> => (await callApi(server.url, 'GET', `/v1/queues/${q}/stats`)).body.ready;

  it('sends a framed batch, receives it framed, acks it, and answers requests by id', async () => {
    const q = await newQueue();
    const c = await Client.open(server.url);
    const bodies = [Buffer.from('one'), Buffer.from([0, 255, 7]), Buffer.alloc(0)];
    const sent = await c.request({ op: 'send', queue: q }, frame([{ id: 'a', bodyBytes: 3, priority: 2 }, { id: 'b', bodyBytes: 3 }, { id: 'c', bodyBytes: 0 }], bodies));
    assert.equal(sent.status, 200);
    assert.deepEqual(sent.body.results.map((r: { id: string; ok: boolean }) => [r.id, r.ok]), [['a', true], ['b', true], ['c', true]]);

    const got = await c.request({ op: 'receive', queue: q, body: { max: 10, waitMs: 0 } });
    assert.equal(got.status, 200);
    assert.equal(got.framed, true);
    const messages = unframe(got.payload);
    assert.deepEqual(
      messages.map((m) => m.body),
      [bodies[0], bodies[1], bodies[2]],
    );
    assert.equal(messages[0]?.entry.priority, 2);

    const acked = await c.request({ op: 'ack', queue: q, body: { receipts: messages.map((m) => m.entry.receipt) } });
    assert.equal(acked.status, 200);
    assert.deepEqual(acked.body.results.map((r: { ok: boolean }) => r.ok), [true, true, true]);
    assert.equal((await callApi(server.url, 'GET', `/v1/queues/${q}/stats`)).body.total, 0);

    // Many requests at once, each answered under its own id.
    const many = await Promise.all(Array.from({ length: 50 }, (_, i) => c.request({ op: 'send', queue: q }, frame([{ bodyBytes: 1 }], [Buffer.from([i])]))));
    assert.equal(many.filter((a) => a.status === 200 && a.body.results[0].ok === true).length, 50);
    assert.equal(await ready(q), 50);
    c.close();
  });

  it('a nack gives a message back, and a stale receipt gets the HTTP error', async () => {
    const q = await newQueue();
    const c = await Client.open(server.url);
    await c.request({ op: 'send', queue: q }, frame([{ bodyBytes: 2 }], [Buffer.from('hi')]));
    const [m] = unframe((await c.request({ op: 'receive', queue: q, body: { max: 1 } })).payload);
    assert.equal((await c.request({ op: 'nack', queue: q, body: { entries: [{ receipt: m?.entry.receipt }] } })).status, 200);
    const again = await c.request({ op: 'ack', queue: q, body: { receipts: [m?.entry.receipt] } });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'LeaseExpired');
    assert.equal(await ready(q), 1);
    c.close();
  });

  it('a receive waits for a message, and ends at once when cancelled or ended by its poll id', async () => {
    const q = await newQueue();
    const c = await Client.open(server.url);
    const waiting = c.request({ op: 'receive', queue: q, body: { max: 5, waitMs: 10_000 } });
    await new Promise((r) => setTimeout(r, 100));
    await callApi(server.url, 'POST', `/v1/queues/${q}/messages`, { raw: 'late' });
    const woke = await waiting;
    assert.deepEqual(unframe(woke.payload).map((m) => m.body.toString()), ['late']);

    const started = Date.now();
    const cancelled = c.request({ id: 900, op: 'receive', queue: q, body: { waitMs: 10_000 } });
    await new Promise((r) => setTimeout(r, 100));
    c.ws.send(message({ id: 900, op: 'cancel' }));
    assert.equal(unframe((await cancelled).payload).length, 0);

    const named = c.request({ op: 'receive', queue: q, body: { waitMs: 10_000, pollId: 'stop-me' } });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await callApi(server.url, 'POST', `/v1/queues/${q}/polls/stop-me/end`)).status, 204);
    assert.equal((await named).status, 200);
    assert.ok(Date.now() - started < 5_000, 'both waits ended long before their 10 s');
    c.close();
  });

  it('bad requests get the error naming the field, and lose nothing stored', async () => {
    const q = await newQueue();
    await callApi(server.url, 'POST', `/v1/queues/${q}/messages`, { raw: 'keep me' });
    const c = await Client.open(server.url);
    const expect = async (header: Record<string, unknown>, status: number, code: string, field: string, payload?: Buffer): Promise<void> => {
      const a = await c.request(header, payload);
      assert.equal(a.status, status, JSON.stringify(a.body));
      assert.equal(a.body.error.code, code);
      assert.equal(a.body.error.field, field);
    };
    await expect({ op: 'fetch', queue: q }, 400, 'InvalidArgument', 'op');
    await expect({ op: 'receive' }, 400, 'InvalidArgument', 'queue');
    await expect({ op: 'receive', queue: q, extra: 1 }, 400, 'InvalidArgument', 'extra');
    await expect({ op: 'receive', queue: `missing-${randomUUID()}` }, 404, 'QueueNotFound', 'queue');
    await expect({ op: 'receive', queue: q, body: { max: '5' } }, 400, 'InvalidArgument', 'max');
    await expect({ op: 'receive', queue: q, body: { max: 5000 } }, 400, 'InvalidArgument', 'max');
    await expect({ op: 'ack', queue: q, body: {} }, 400, 'InvalidArgument', 'receipts');
    await expect({ op: 'ack', queue: q, body: { receipts: ['nonsense'] } }, 409, 'ReceiptInvalid', 'receipt');
    await expect({ op: 'receive', queue: q }, 400, 'InvalidArgument', 'payload', Buffer.from('x'));
    await expect({ op: 'send', queue: q, body: {} }, 400, 'InvalidArgument', 'body', frame([{ bodyBytes: 1 }], [Buffer.from('x')]));
    await expect({ op: 'send', queue: q }, 400, 'InvalidArgument', 'body', Buffer.from([0, 0]));
    await expect({ op: 'send', queue: q }, 400, 'InvalidArgument', 'messages[0].bodyBytes', frame([{ bodyBytes: 9 }], [Buffer.from('x')]));
    await expect({ op: 'send', queue: q }, 400, 'InvalidArgument', 'messages[0].priority', frame([{ bodyBytes: 1, priority: 'high' }], [Buffer.from('x')]));
    // A message that is not a request closes the channel with the reason.
    c.ws.send(Buffer.from([0, 0, 0, 9, 1]));
    const closed = await c.closed;
    assert.equal(closed.code, 1002);
    assert.match(closed.reason, /header length says 9 bytes/);

    const c2 = await Client.open(server.url);
    c2.ws.send(message({ op: 'send', queue: q }));
    assert.match((await c2.closed).reason, /"id", an integer >= 0/);
    const c3 = await Client.open(server.url);
    c3.ws.send('text');
    assert.equal((await c3.closed).code, 1002);
    const c4 = await Client.open(server.url);
    const notObject = Buffer.from('[1]');
    c4.ws.send(Buffer.concat([Buffer.from([0, 0, 0, notObject.length]), notObject]));
    assert.equal((await c4.closed).reason, 'the header must be a JSON object; got an array');
    const c5 = await Client.open(server.url);
    const proto = Buffer.from('{"id":1,"op":"receive","body":{"__proto__":{}}}');
    c5.ws.send(Buffer.concat([Buffer.from([0, 0, 0, proto.length]), proto]));
    assert.match((await c5.closed).reason, /^the header is refused: body holds a "__proto__" key/);

    // The stored message is still there, ready.
    assert.equal(await ready(q), 1);
  });

  it('a duplicate id of a request still running is refused', async () => {
    const q = await newQueue();
    const c = await Client.open(server.url);
    // The first waits (no message); its answer handler is replaced to catch the refusal of the second.
    c.ws.send(message({ id: 5, op: 'receive', queue: q, body: { waitMs: 2_000 } }));
    const refused = new Promise<Answer>((resolve) => c.answers.set(5, resolve));
    c.ws.send(message({ id: 5, op: 'receive', queue: q, body: { waitMs: 0 } }));
    const answer = await refused;
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.field, 'id');
    assert.match(answer.body.error.message, /already used/);
    c.close();
  });

  it('a message over the size limit closes the channel (1009) and stores nothing', async () => {
    const q = await newQueue();
    const c = await Client.open(server.url);
    // Larger than the biggest send request the server takes (a 16 MiB message, base64) plus a header.
    const huge = Buffer.alloc(24 * 1024 * 1024, 1);
    c.ws.send(message({ id: 1, op: 'send', queue: q }, frame([{ bodyBytes: huge.length }], [huge])));
    assert.equal((await c.closed).code, 1009);
    assert.equal((await callApi(server.url, 'GET', `/v1/queues/${q}/stats`)).body.total, 0);
  });

  it('a cancel is never refused, not even with the channel at its limit of requests in flight', async () => {
    const q = await newQueue();
    const c = await Client.open(server.url);
    const seen: Answer[] = [];
    c.ws.on('message', (data: Buffer) => {
      const end = 4 + data.readUInt32BE(0);
      seen.push({ ...(JSON.parse(data.toString('utf8', 4, end)) as Omit<Answer, 'payload'>), payload: data.subarray(end) });
    });
    const limit = channelRequestsInFlightMax;
    for (let id = 1; id <= limit; id++) c.ws.send(message({ id, op: 'receive', queue: q, body: { waitMs: 20_000 } }));
    const over = await c.request({ id: limit + 1, op: 'receive', queue: q, body: { waitMs: 0 } });
    assert.equal(over.status, 429);
    assert.equal(over.body.error.code, 'Overloaded');
    const cancelled = new Promise<Answer>((resolve) => c.answers.set(1, resolve));
    c.ws.send(message({ id: 1, op: 'cancel' }));
    const answer = await cancelled;
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(unframe(answer.payload).length, 0);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(seen.filter((a) => a.id === 1).length, 1, 'one answer for the cancelled receive');
    c.close();
  });

  it('many waiting receives and refused poll ids leave no listener behind', async () => {
    const q = await newQueue();
    const c = await Client.open(server.url);
    const waits = Array.from({ length: 20 }, () => c.request({ op: 'receive', queue: q, body: { waitMs: 300 } }));
    const named = c.request({ op: 'receive', queue: q, body: { waitMs: 300, pollId: 'taken' } });
    const refused = await Promise.all(Array.from({ length: 20 }, () => c.request({ op: 'receive', queue: q, body: { waitMs: 0, pollId: 'taken' } })));
    assert.deepEqual(new Set(refused.map((a) => `${a.status} ${a.body.error.field}`)), new Set(['400 pollId']));
    assert.deepEqual(new Set((await Promise.all([...waits, named])).map((a) => a.status)), new Set([200]));
    c.close();
    await new Promise((r) => setTimeout(r, 100));
    assert.doesNotMatch(server.stderr(), /MaxListenersExceededWarning/);
  });

  it('selects no subprotocol: a client that requires one fails its handshake, one that offers none opens', async () => {
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/v1/channel`, ['chute.v1']);
    const failed = await new Promise<Error>((resolve) => ws.once('error', resolve));
    assert.match(failed.message, /Server sent no subprotocol/);
    const c = await Client.open(server.url);
    assert.equal(c.ws.protocol, '');
    c.close();
  });

  it('refuses an upgrade on another path', async () => {
    const res = await refusedUpgrade(server.url, '/v1/other');
    assert.equal(res.status, 404);
    assert.match(res.body, /the channel is at \/v1\/channel/);
  });
});

describe('the channel with tokens', { timeout: 60_000 }, () => {
  let server: RunningServer;
  const admin = `admin-${randomUUID()}`;
  const producer = `producer-${randomUUID()}`;
  before(async () => {
    server = await startServer({
      config: {
        tokens: [
          { name: 'admin', token: admin, permissions: [{ queues: '*', actions: ['send', 'receive', 'manage'] }] },
          { name: 'producer', token: producer, permissions: [{ queues: 'orders-*', actions: ['send'] }] },
        ],
      },
    });
  });
  after(async () => {
    await server.stop();
  });

  it('checks the token on the upgrade and each request against its permissions', async () => {
    assert.equal((await refusedUpgrade(server.url, '/v1/channel')).status, 401);
    assert.equal((await refusedUpgrade(server.url, '/v1/channel', { authorization: 'Bearer wrong' })).status, 401);
    const q = `orders-${randomUUID().slice(0, 8)}`;
    assert.equal((await callApi(server.url, 'PUT', `/v1/queues/${q}`, { token: admin })).status, 201);
    const c = await Client.open(server.url, { authorization: `Bearer ${producer}` });
    assert.equal((await c.request({ op: 'send', queue: q }, frame([{ bodyBytes: 1 }], [Buffer.from('x')]))).status, 200);
    const refused = await c.request({ op: 'receive', queue: q, body: { waitMs: 0 } });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'Forbidden');
    c.close();
  });
});

/** Sends an upgrade request on a raw socket and resets the connection at once (RST), with data still unread. */
function resetDuringUpgrade(port: number, path: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
      socket.write(Buffer.alloc(200_000, 1));
      setImmediate(() => {
        socket.resetAndDestroy();
        resolve();
      });
    });
    socket.on('error', () => resolve());
  });
}

describe('the channel with bad peers and small limits', { timeout: 60_000 }, () => {
  let server: RunningServer;
  const maxRequestBytes = 256 * 1024;
  const maxControlRequestBytes = 64 * 1024;
  before(async () => {
    server = await startServer({ config: { limits: { maxRequestBytes, maxControlRequestBytes } } });
  });
  after(async () => {
    await server.stop();
  });

  const newQueue = (): Promise<string> => createQueue(server);
  const healthy = async (): Promise<void> => {
    assert.equal(server.proc.exitCode, null, `the server exited:\n${server.stderr()}`);
    assert.equal((await callApi(server.url, 'GET', '/healthz')).status, 200);
  };

  it('a protocol error whose reason is long in UTF-8 closes the channel, not the server', async () => {
    const c = await Client.open(server.url);
    // JSON.parse quotes the text around the error: 3 bytes a character here, over WebSocket's 123-byte reason.
    const header = Buffer.from('[中中中x中中中中中中中中中中中中中中中');
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(header.length);
    c.ws.send(Buffer.concat([prefix, header]));
    const closed = await c.closed;
    assert.equal(closed.code, 1002);
    assert.match(closed.reason, /not valid JSON/);
    assert.ok(Buffer.byteLength(closed.reason) <= 123);
    await healthy();
  });

  it('peers that reset their connection during the upgrade do not bring the server down', async () => {
    for (let i = 0; i < 150 && server.proc.exitCode === null; i++) {
      await resetDuringUpgrade(server.port, '/v1/channel');
      await resetDuringUpgrade(server.port, '/v1/elsewhere');
    }
    await new Promise((r) => setTimeout(r, 300));
    await healthy();
  });

  it('a refused upgrade is closed even when its peer sent more than the server reads', async () => {
    const sockets = async (): Promise<number> => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      return Number(/^nodejs_active_handles\{type="Socket"\} (\d+)$/m.exec(text)?.[1]);
    };
    const before = await sockets();
    for (let i = 0; i < 5; i++) {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(server.port, '127.0.0.1', () => {
          socket.write(`GET /v1/elsewhere HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
          socket.write(Buffer.alloc(200_000, 1));
        });
        socket.once('data', (d: Buffer) => {
          socket.destroy();
          resolve(d.toString('latin1'));
        });
        socket.on('error', reject);
      });
      assert.match(answer, /^HTTP\/1.1 404/);
    }
    await new Promise((r) => setTimeout(r, 300));
    // Left open, such sockets would pile up for good (and hold up the server's shutdown).
    assert.ok((await sockets()) <= before + 1, `sockets: ${before} before, ${await sockets()} after`);
  });

  it('announces its largest message, and answers a request over the route\'s limit with the route\'s 413', async () => {
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/v1/channel`);
    const announced = await new Promise<string | string[] | undefined>((resolve, reject) => {
      ws.once('upgrade', (res) => resolve(res.headers['x-chute-channel-max-message-bytes']));
      ws.once('error', reject);
    });
    ws.terminate();
    assert.equal(announced, String(maxRequestBytes + 64 * 1024));

    const q = await newQueue();
    const c = await Client.open(server.url);
    const tooBig = frame([{ bodyBytes: maxRequestBytes }], [Buffer.alloc(maxRequestBytes, 1)]);
    const overHttp = await callApi(server.url, 'POST', `/v1/queues/${q}/messages`, { raw: tooBig, headers: { 'content-type': 'application/vnd.chute.batch' } });
    const sent = await c.request({ op: 'send', queue: q }, tooBig);
    assert.equal(overHttp.status, 413);
    assert.equal(sent.status, 413);
    assert.deepEqual(sent.body, overHttp.body);
    assert.equal(sent.body.error.limit, maxRequestBytes);

    const receipts = Array.from({ length: 5000 }, (_, i) => `receipt-${i}`);
    const ackOverHttp = await callApi(server.url, 'POST', `/v1/queues/${q}/ack`, { json: { receipts } });
    const acked = await c.request({ op: 'ack', queue: q, body: { receipts } });
    assert.equal(ackOverHttp.status, 413);
    assert.deepEqual(acked.body, ackOverHttp.body);
    assert.equal(acked.body.error.limit, maxControlRequestBytes);
    assert.equal((await callApi(server.url, 'GET', `/v1/queues/${q}/stats`)).body.total, 0);
    c.close();
  });

  it('the SDK sends a request too large for the channel over HTTP, and the channel\'s other requests go on', async () => {
    const chute = new Chute({ url: server.url, maxRetries: 0 });
    try {
      const q = chute.queue(await newQueue());
      await q.send('first');
      const [held] = await q.receive({ max: 1 });
      const waiting = q.receive({ max: 1, waitMs: 1_000 });
      const acked = held!.ack();
      // Two 200 KiB messages: over the channel's largest message, so HTTP answers 413 for this request alone.
      const big = Buffer.alloc(200 * 1024, 1);
      const err = await q.sendBatch([{ body: big }, { body: big }]).catch((e: unknown) => e);
      assert.ok(err instanceof ChuteError, String(err));
      assert.equal(err.code, 'RequestTooLarge');
      assert.equal(err.status, 413);
      await acked;
      assert.deepEqual(await waiting, []);
      assert.equal((await q.stats()).total, 0);
    } finally {
      await chute.close();
    }
  });

  it('stops reading requests while its answers wait for a peer that does not read them', async () => {
    const q = await newQueue();
    const marker = await newQueue();
    const c = await Client.open(server.url);
    c.ws.pause(); // reads nothing from here on
    // Each of these answers is about ten times the size of its request (one error per bogus receipt).
    const entries = Array.from({ length: 1000 }, () => ({ receipt: 'x' }));
    for (let id = 1; id <= 250; id++) c.ws.send(message({ id, op: 'nack', queue: q, body: { entries } }));
    const markerSent = c.request({ id: 1000, op: 'send', queue: marker }, frame([{ bodyBytes: 1 }], [Buffer.from('m')]));
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal((await callApi(server.url, 'GET', `/v1/queues/${marker}/stats`)).body.total, 0, 'the last request is not read yet');
    c.ws.resume();
    assert.equal((await markerSent).status, 200);
    assert.equal((await callApi(server.url, 'GET', `/v1/queues/${marker}/stats`)).body.total, 1);
    c.close();
    await healthy();
  });
});

describe('the channel\'s heartbeat, on a server in this process that pings every 100 ms', { timeout: 60_000 }, () => {
  const pingIntervalMs = 100;
  const dir = tempDir();
  let broker: Broker;
  let app: FastifyInstance;
  let url: string;
  before(async () => {
    broker = await openBroker({ dataDir: dir.path });
    app = Fastify();
    const options: HttpApiOptions = {
      broker,
      authenticate: () => null,
      authorize: () => undefined,
      maxSendRequestBytes: 1024 * 1024,
      maxControlRequestBytes: 64 * 1024,
    };
    registerChannel(app, { broker, options, access: new RequestAccess(options.authenticate, options.authorize), polls: new NamedPolls() }, { pingIntervalMs });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await app.close();
    await broker.close();
    dir.remove();
  });

  const newQueue = async (): Promise<string> => {
    const q = randomName('heartbeat');
    await broker.createQueue(q);
    return q;
  };
  const waiting = (q: string): number => broker.listConsumers(q)[0]?.waiting ?? 0;
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  it('closes a channel whose client answers no ping, and ends its waiting receive', async () => {
    const q = await newQueue();
    // A client gone without closing answers nothing; this one still reads, but sends no pong.
    const gone = await Client.open(url, {}, { autoPong: false });
    try {
      void gone.request({ op: 'receive', queue: q, body: { waitMs: 20_000 } });
      while (waiting(q) === 0) await sleep(10);
      const closed = await Promise.race([gone.closed, sleep(20 * pingIntervalMs).then(() => undefined)]);
      assert.ok(closed !== undefined, `the channel was still open after ${20 * pingIntervalMs} ms`);
      assert.equal(closed.code, 1006, 'closed without a close frame');
      for (let i = 0; i < 100 && waiting(q) > 0; i++) await sleep(10);
      assert.equal(waiting(q), 0, 'its receive waits no more');
    } finally {
      gone.ws.terminate();
    }
  });

  it('keeps a channel whose client answers pings, also while the server reads none of its requests', async () => {
    const q = await newQueue();
    const c = await Client.open(url);
    await sleep(10 * pingIntervalMs);
    assert.equal((await c.request({ op: 'receive', queue: q, body: { waitMs: 0 } })).status, 200);

    // The client reads nothing, so its answers pile up and the server stops reading its requests
    // (and its pongs) until it reads them: it is not closed for that.
    c.ws.pause();
    const entries = Array.from({ length: 1000 }, () => ({ receipt: 'x' }));
    for (let id = 1; id <= 100; id++) c.ws.send(message({ id, op: 'nack', queue: q, body: { entries } }));
    const marker = c.request({ id: 1000, op: 'receive', queue: q, body: { waitMs: 0 } });
    await sleep(10 * pingIntervalMs);
    c.ws.resume();
    const answered = await Promise.race([marker, c.closed.then(() => undefined)]);
    assert.equal(answered?.status, 200, 'the channel was closed');
    await sleep(5 * pingIntervalMs);
    assert.equal(c.ws.readyState, WebSocket.OPEN);
    c.close();
  });
});
