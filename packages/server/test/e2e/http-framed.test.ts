/**
 * The framed batch form (application/vnd.chute.batch) of send and receive, spoken directly over
 * HTTP: bodies travel as raw bytes after the JSON, and a frame that does not add up is refused
 * whole, naming the part that is wrong, with nothing stored.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { callApi, startServer, type RunningServer } from '../support/server-process.js';

const batchType = 'application/vnd.chute.batch';

/** Builds a frame the way the format describes it, independently of the SDK's code. */
function frame(entries: object[], bodies: Buffer[], jsonLengthDelta = 0): Buffer {
  const json = Buffer.from(JSON.stringify({ messages: entries }));
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(json.length + jsonLengthDelta);
  return Buffer.concat([prefix, json, ...bodies]);
}

/** The length prefix and JSON part of a frame, for any JSON value. */
function jsonPart(value: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(value));
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(json.length);
  return Buffer.concat([prefix, json]);
}

/** Splits a framed answer into entries and bodies. */
function unframe(bytes: Buffer): Array<{ entry: Record<string, unknown>; body: Buffer }> {
  const jsonEnd = 4 + bytes.readUInt32BE(0);
  const { messages } = JSON.parse(bytes.toString('utf8', 4, jsonEnd)) as { messages: Array<Record<string, unknown> & { bodyBytes: number }> };
  let at = jsonEnd;
  const out = messages.map((entry) => {
    const body = bytes.subarray(at, at + entry.bodyBytes);
    at += entry.bodyBytes;
    return { entry, body };
  });
  assert.equal(at, bytes.length, 'the bodies fill the answer exactly');
  return out;
}

async function postFrame(url: string, path: string, body: Buffer): Promise<{ status: number; json: any }> {
  const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': batchType }, body });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
}

describe('framed batches', { timeout: 60_000 }, () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.stop();
  });

  const newQueue = async (): Promise<string> => {
    const q = `framed-${randomUUID().slice(0, 8)}`;
    assert.equal((await callApi(server.url, 'PUT', `/v1/queues/${q}`)).status, 201);
    return q;
  };

  it('sends text, binary and empty bodies with their fields, and receives them byte for byte', async () => {
    const q = await newQueue();
    const binary = Buffer.from([0, 255, 254, 10, 13, 0x80]);
    const text = Buffer.from('héllo "world"\n', 'utf8');
    const sent = await postFrame(
      server.url,
      `/v1/queues/${q}/messages`,
      frame(
        [
          { id: 'a', bodyBytes: text.length, headers: { kind: 'greeting', n: 3, raw: { base64: 'AAE=' } }, priority: 7 },
          { id: 'b', bodyBytes: binary.length },
          { id: 'c', bodyBytes: 0, priority: 99 },
          { id: 'd', bodyBytes: 0 },
        ],
        [text, binary],
      ),
    );
    assert.equal(sent.status, 200);
    assert.deepEqual(sent.json.results.map((r: { id: string; ok: boolean }) => [r.id, r.ok]), [['a', true], ['b', true], ['c', false], ['d', true]]);
    assert.equal(sent.json.results[2].error.field, 'messages[2].priority');

    const res = await fetch(`${server.url}/v1/queues/${q}/receive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: batchType },
      body: JSON.stringify({ max: 10 }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), batchType);
    const got = unframe(Buffer.from(await res.arrayBuffer()));
    assert.equal(got.length, 3);
    const [first, second, third] = got;
    assert.equal(first!.body.toString('utf8'), 'héllo "world"\n');
    assert.deepEqual(first!.entry.headers, { kind: 'greeting', n: 3, raw: { base64: 'AAE=' } });
    assert.equal(first!.entry.priority, 7);
    assert.equal(typeof first!.entry.receipt, 'string');
    assert.equal(first!.entry.body, undefined);
    assert.deepEqual(second!.body, binary);
    assert.equal(third!.body.length, 0);

    // The plain JSON form of the same messages agrees.
    const peek = await callApi(server.url, 'GET', `/v1/queues/${q}/messages?max=10&bodyEncoding=base64`);
    assert.deepEqual(
      peek.body.messages.map((m: { body: string }) => Buffer.from(m.body, 'base64')),
      [text, binary, Buffer.alloc(0)],
    );
  });

  it('refuses a frame that does not add up, naming the part, and stores nothing', async () => {
    const q = await newQueue();
    const body = Buffer.from('12345');
    const cases: Array<{ frame: Buffer; field: string }> = [
      { frame: Buffer.from([0, 0]), field: 'body' },
      { frame: frame([{ bodyBytes: 5 }], [body], 100), field: 'body' },
      { frame: frame([{ bodyBytes: 5 }], [body, Buffer.from('extra')]), field: 'body' },
      { frame: frame([{ bodyBytes: 2 }, { bodyBytes: 9 }], [body]), field: 'messages[1].bodyBytes' },
      { frame: frame([{ bodyBytes: -1 }], []), field: 'messages[0].bodyBytes' },
      { frame: frame([{ bodyBytes: '5' }], [body]), field: 'messages[0].bodyBytes' },
      { frame: frame([{ bodyBytes: 5, body: 'inline' }], [body]), field: 'messages[0].body' },
      { frame: frame([{ bodyBytes: 5, priority: 'high' }], [body]), field: 'messages[0].priority' },
      { frame: Buffer.concat([jsonPart({ messages: [{ bodyBytes: 5 }], extra: 1 }), body]), field: 'extra' },
      { frame: Buffer.concat([jsonPart({ messages: [{ bodyBytes: 5 }], bodies: [] }), body]), field: 'bodies' },
    ];
    for (const c of cases) {
      const res = await postFrame(server.url, `/v1/queues/${q}/messages`, c.frame);
      assert.equal(res.status, 400, `frame for ${c.field}`);
      assert.equal(res.json.error.code, 'InvalidArgument');
      assert.equal(res.json.error.field, c.field);
    }
    const notJson = Buffer.concat([Buffer.from([0, 0, 0, 3]), Buffer.from('{x]')]);
    const res = await postFrame(server.url, `/v1/queues/${q}/messages`, notJson);
    assert.equal(res.status, 400);
    assert.match(res.json.error.message, /not valid JSON/);
    assert.equal((await callApi(server.url, 'GET', `/v1/queues/${q}/stats`)).body.total, 0);
  });

  it('publishes a framed batch to a topic, each message with its own routing key', async () => {
    const topic = `framed-t-${randomUUID().slice(0, 8)}`;
    const eu = await newQueue();
    const all = await newQueue();
    await callApi(server.url, 'PUT', `/v1/topics/${topic}`);
    await callApi(server.url, 'PUT', `/v1/topics/${topic}/subscriptions/${eu}`, { json: { filter: { routingKey: 'order.eu.*' } } });
    await callApi(server.url, 'PUT', `/v1/topics/${topic}/subscriptions/${all}`, { json: {} });
    const bodies = [Buffer.from([1, 2, 3]), Buffer.from('us order')];
    const res = await postFrame(
      server.url,
      `/v1/topics/${topic}/publish`,
      frame(
        [
          { bodyBytes: 3, routingKey: 'order.eu.fr' },
          { bodyBytes: 8, routingKey: 'order.us.ny', headers: { region: 'us' } },
        ],
        bodies,
      ),
    );
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.json.results.map((r: { ok: boolean; deliveredTo: Array<{ queue: string }> }) => [r.ok, r.deliveredTo.map((d) => d.queue).sort()]),
      [
        [true, [all, eu].sort()],
        [true, [all]],
      ],
    );
    const peek = await callApi(server.url, 'GET', `/v1/queues/${all}/messages?max=10&bodyEncoding=base64`);
    assert.deepEqual(peek.body.messages.map((m: { body: string }) => Buffer.from(m.body, 'base64')), bodies);
    assert.equal(peek.body.messages[1].headers.region, 'us');
    const bad = await postFrame(server.url, `/v1/topics/${topic}/publish`, frame([{ bodyBytes: 3, id: 'x' }], [bodies[0]!]));
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.field, 'messages[0].id');
  });

  it('is refused with 415 by routes that do not take it', async () => {
    const q = await newQueue();
    const res = await postFrame(server.url, `/v1/queues/${q}/ack`, frame([{ bodyBytes: 0 }], []));
    assert.equal(res.status, 415);
    assert.equal(res.json.error.code, 'UnsupportedMediaType');
  });
});
