/**
 * Every route of the native HTTP API against a real `chute serve` process: status codes and
 * response bodies as docs/http-api.md describes them.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { callApi, startServer, type RunningServer } from '../support/server-process.js';

const name = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

describe('native HTTP API routes', { timeout: 120_000 }, () => {
  let server: RunningServer;
  let url: string;
  before(async () => {
    server = await startServer();
    url = server.url;
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  it('GET /healthz answers ok', async () => {
    const res = await callApi(url, 'GET', '/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  it('PUT creates a queue (201), again with the same settings is 200, with other settings 409', async () => {
    const q = name('orders');
    const created = await callApi(url, 'PUT', `/v1/queues/${q}`, { json: { visibilityTimeoutMs: 5000, maxLength: 10 } });
    assert.equal(created.status, 201);
    assert.equal(created.body.name, q);
    assert.equal(created.body.config.visibilityTimeoutMs, 5000);
    assert.equal(created.body.config.maxLength, 10);
    assert.equal(typeof created.body.createdAt, 'number');
    const again = await callApi(url, 'PUT', `/v1/queues/${q}`, { json: { visibilityTimeoutMs: 5000, maxLength: 10 } });
    assert.equal(again.status, 200);
    assert.equal(again.body.createdAt, created.body.createdAt);
    const other = await callApi(url, 'PUT', `/v1/queues/${q}`, { json: { visibilityTimeoutMs: 6000 } });
    assert.equal(other.status, 409);
    assert.equal(other.body.error.code, 'QueueAlreadyExists');
  });

  it('PUT without a body creates a queue with defaults', async () => {
    const q = name('plain');
    const res = await callApi(url, 'PUT', `/v1/queues/${q}`);
    assert.equal(res.status, 201);
    assert.equal(res.body.config.visibilityTimeoutMs, 30_000);
  });

  it('GET, PATCH, stats, dead-letter-sources and DELETE of a queue', async () => {
    const dlq = name('dlq');
    const q = name('work');
    assert.equal((await callApi(url, 'PUT', `/v1/queues/${dlq}`)).status, 201);
    assert.equal((await callApi(url, 'PUT', `/v1/queues/${q}`)).status, 201);

    const got = await callApi(url, 'GET', `/v1/queues/${q}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.name, q);

    const patched = await callApi(url, 'PATCH', `/v1/queues/${q}`, { json: { maxDeliveries: 3, deadLetterQueue: dlq } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.config.maxDeliveries, 3);
    assert.equal(patched.body.config.deadLetterQueue, dlq);

    const sources = await callApi(url, 'GET', `/v1/queues/${dlq}/dead-letter-sources`);
    assert.equal(sources.status, 200);
    assert.deepEqual(sources.body, { queues: [q] });

    const stats = await callApi(url, 'GET', `/v1/queues/${q}/stats`);
    assert.equal(stats.status, 200);
    assert.equal(stats.body.name, q);
    assert.equal(stats.body.ready, 0);
    assert.equal(typeof stats.body.totals.sent, 'number');

    const inUse = await callApi(url, 'DELETE', `/v1/queues/${dlq}`);
    assert.equal(inUse.status, 409);
    assert.equal(inUse.body.error.code, 'QueueInUse');

    const deleted = await callApi(url, 'DELETE', `/v1/queues/${q}`);
    assert.equal(deleted.status, 204);
    assert.equal(deleted.body, undefined);
    const gone = await callApi(url, 'GET', `/v1/queues/${q}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error.code, 'QueueNotFound');
  });

  it('GET /v1/queues lists by prefix and pages with next', async () => {
    const prefix = name('list');
    for (const suffix of ['a', 'b', 'c']) assert.equal((await callApi(url, 'PUT', `/v1/queues/${prefix}-${suffix}`)).status, 201);
    const page1 = await callApi(url, 'GET', `/v1/queues?prefix=${prefix}&limit=2`);
    assert.equal(page1.status, 200);
    assert.deepEqual(page1.body.queues.map((q: { name: string }) => q.name), [`${prefix}-a`, `${prefix}-b`]);
    assert.equal(page1.body.next, `${prefix}-b`);
    const page2 = await callApi(url, 'GET', `/v1/queues?prefix=${prefix}&limit=2&after=${page1.body.next}`);
    assert.deepEqual(page2.body.queues.map((q: { name: string }) => q.name), [`${prefix}-c`]);
    assert.equal(page2.body.next, undefined);
  });

  it('send one, send a batch, peek, receive, ack, nack, extend, purge', async () => {
    const q = name('msgs');
    await callApi(url, 'PUT', `/v1/queues/${q}`);

    const one = await callApi(url, 'POST', `/v1/queues/${q}/messages`, {
      json: { body: 'first', headers: { kind: 'test', n: 7 }, priority: 0, dedupId: 'd1' },
    });
    assert.equal(one.status, 201);
    assert.equal(typeof one.body.id, 'string');
    assert.equal(typeof one.body.sequence, 'string');
    assert.equal(one.body.duplicate, false);

    const dup = await callApi(url, 'POST', `/v1/queues/${q}/messages`, { json: { body: 'first again', dedupId: 'd1' } });
    assert.equal(dup.status, 201);
    assert.equal(dup.body.duplicate, true);
    assert.equal(dup.body.id, one.body.id);

    const batch = await callApi(url, 'POST', `/v1/queues/${q}/messages`, {
      json: { messages: [{ id: 'a', body: 'second' }, { id: 'b', body: 'third' }, { id: 'c', body: 'x', priority: 99 }] },
    });
    assert.equal(batch.status, 200);
    assert.equal(batch.body.results.length, 3);
    assert.deepEqual(
      batch.body.results.slice(0, 2).map((r: { id: string; ok: boolean }) => [r.id, r.ok]),
      [['a', true], ['b', true]],
    );
    assert.equal(typeof batch.body.results[0].messageId, 'string');
    assert.equal(batch.body.results[2].id, 'c');
    assert.equal(batch.body.results[2].ok, false);
    assert.equal(batch.body.results[2].error.code, 'InvalidArgument');
    assert.match(batch.body.results[2].error.field, /priority/);

    const peek = await callApi(url, 'GET', `/v1/queues/${q}/messages?max=10`);
    assert.equal(peek.status, 200);
    assert.deepEqual(peek.body.messages.map((m: { body: string }) => m.body), ['first', 'second', 'third']);
    assert.equal(peek.body.messages[0].receipt, undefined);
    assert.deepEqual(peek.body.messages[0].headers, { kind: 'test', n: 7 });
    const peekAfter = await callApi(url, 'GET', `/v1/queues/${q}/messages?max=10&after=${peek.body.messages[0].sequence}`);
    assert.deepEqual(peekAfter.body.messages.map((m: { body: string }) => m.body), ['second', 'third']);

    const got = await callApi(url, 'POST', `/v1/queues/${q}/receive`, { json: { max: 3, visibilityTimeoutMs: 60_000 } });
    assert.equal(got.status, 200);
    assert.equal(got.body.messages.length, 3);
    const [m1, m2, m3] = got.body.messages;
    assert.equal(m1.body, 'first');
    assert.equal(m1.bodyEncoding, 'utf8');
    assert.equal(m1.deliveryCount, 1);
    assert.equal(typeof m1.receipt, 'string');
    assert.ok(m1.leaseExpiresAt > Date.now() + 30_000);

    const acked = await callApi(url, 'POST', `/v1/queues/${q}/ack`, { json: { receipts: [m1.receipt] } });
    assert.equal(acked.status, 200);
    assert.deepEqual(acked.body, { results: [{ receipt: m1.receipt, ok: true }] });

    const extended = await callApi(url, 'POST', `/v1/queues/${q}/extend`, { json: { entries: [{ receipt: m2.receipt, visibilityTimeoutMs: 120_000 }] } });
    assert.equal(extended.status, 200);
    assert.equal(extended.body.results[0].ok, true);
    assert.ok(extended.body.results[0].leaseExpiresAt > Date.now() + 90_000);

    const nacked = await callApi(url, 'POST', `/v1/queues/${q}/nack`, { json: { entries: [{ receipt: m3.receipt, delayMs: 0 }] } });
    assert.equal(nacked.status, 200);
    assert.deepEqual(nacked.body, { results: [{ receipt: m3.receipt, ok: true }] });

    const again = await callApi(url, 'POST', `/v1/queues/${q}/receive`, { json: { max: 10 } });
    assert.deepEqual(again.body.messages.map((m: { body: string; deliveryCount: number }) => [m.body, m.deliveryCount]), [['third', 2]]);

    const mixed = await callApi(url, 'POST', `/v1/queues/${q}/ack`, { json: { receipts: [again.body.messages[0].receipt, m1.receipt] } });
    assert.equal(mixed.status, 200);
    assert.equal(mixed.body.results[0].ok, true);
    assert.equal(mixed.body.results[1].ok, false);
    assert.equal(typeof mixed.body.results[1].error.code, 'string');

    const purged = await callApi(url, 'POST', `/v1/queues/${q}/purge`);
    assert.equal(purged.status, 200);
    assert.deepEqual(purged.body, { purged: 1 });
    const stats = await callApi(url, 'GET', `/v1/queues/${q}/stats`);
    assert.equal(stats.body.total, 0);
  });

  it('receive with autoAck removes the messages as they are handed out', async () => {
    const q = name('auto');
    await callApi(url, 'PUT', `/v1/queues/${q}`);
    await callApi(url, 'POST', `/v1/queues/${q}/messages`, { json: { body: 'once' } });
    const got = await callApi(url, 'POST', `/v1/queues/${q}/receive`, { json: { autoAck: true } });
    assert.equal(got.body.messages[0].body, 'once');
    assert.equal((await callApi(url, 'GET', `/v1/queues/${q}/stats`)).body.total, 0);
  });

  it('dead letters after maxDeliveries, then redrive moves them back', async () => {
    const dlq = name('dead');
    const q = name('src');
    await callApi(url, 'PUT', `/v1/queues/${dlq}`);
    await callApi(url, 'PUT', `/v1/queues/${q}`, { json: { maxDeliveries: 1, deadLetterQueue: dlq } });
    await callApi(url, 'POST', `/v1/queues/${q}/messages`, { json: { body: 'poison' } });
    const first = await callApi(url, 'POST', `/v1/queues/${q}/receive`, { json: {} });
    await callApi(url, 'POST', `/v1/queues/${q}/nack`, { json: { entries: [{ receipt: first.body.messages[0].receipt }] } });
    // The next receive finds the delivery count used up and moves the message to the dead-letter queue.
    await callApi(url, 'POST', `/v1/queues/${q}/receive`, { json: { waitMs: 0 } });
    const dead = await callApi(url, 'GET', `/v1/queues/${dlq}/messages`);
    assert.equal(dead.body.messages.length, 1);
    assert.equal(dead.body.messages[0].deadLetter.sourceQueue, q);
    assert.equal(dead.body.messages[0].deadLetter.reason, 'maxDeliveries');

    const moved = await callApi(url, 'POST', `/v1/queues/${dlq}/redrive`, { json: {} });
    assert.equal(moved.status, 200);
    assert.deepEqual(moved.body, { moved: 1 });
    const back = await callApi(url, 'GET', `/v1/queues/${q}/messages`);
    assert.deepEqual(back.body.messages.map((m: { body: string }) => m.body), ['poison']);
  });

  it('topics: create, get, list, subscribe with a filter, publish, unsubscribe, delete', async () => {
    const topic = name('events');
    const qa = name('sub-a');
    const qb = name('sub-b');
    await callApi(url, 'PUT', `/v1/queues/${qa}`);
    await callApi(url, 'PUT', `/v1/queues/${qb}`);

    const created = await callApi(url, 'PUT', `/v1/topics/${topic}`);
    assert.equal(created.status, 201);
    assert.equal(created.body.name, topic);
    assert.equal((await callApi(url, 'PUT', `/v1/topics/${topic}`)).status, 200);

    const subA = await callApi(url, 'PUT', `/v1/topics/${topic}/subscriptions/${qa}`, { json: { filter: { routingKey: 'order.*' } } });
    assert.equal(subA.status, 200);
    assert.deepEqual([subA.body.topic, subA.body.queue, subA.body.filter], [topic, qa, { routingKey: 'order.*' }]);
    const subB = await callApi(url, 'PUT', `/v1/topics/${topic}/subscriptions/${qb}`);
    assert.equal(subB.status, 200);

    const got = await callApi(url, 'GET', `/v1/topics/${topic}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body.subscriptions.map((s: { queue: string }) => s.queue).sort(), [qa, qb].sort());
    const list = await callApi(url, 'GET', `/v1/topics?prefix=${topic}`);
    assert.deepEqual(list.body.topics.map((t: { name: string }) => t.name), [topic]);

    const pub = await callApi(url, 'POST', `/v1/topics/${topic}/publish`, { json: { body: 'created', routingKey: 'order.created' } });
    assert.equal(pub.status, 200);
    assert.deepEqual(pub.body.deliveredTo.map((d: { queue: string }) => d.queue).sort(), [qa, qb].sort());
    const pub2 = await callApi(url, 'POST', `/v1/topics/${topic}/publish`, { json: { body: 'other', routingKey: 'invoice.paid' } });
    assert.deepEqual(pub2.body.deliveredTo.map((d: { queue: string }) => d.queue), [qb]);

    assert.equal((await callApi(url, 'DELETE', `/v1/topics/${topic}/subscriptions/${qa}`)).status, 204);
    const missing = await callApi(url, 'DELETE', `/v1/topics/${topic}/subscriptions/${qa}`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'SubscriptionNotFound');
    assert.equal((await callApi(url, 'DELETE', `/v1/topics/${topic}`)).status, 204);
    const gone = await callApi(url, 'GET', `/v1/topics/${topic}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error.code, 'TopicNotFound');
  });

  it('GET /v1/consumers lists a consumer after it received', async () => {
    const q = name('watched');
    await callApi(url, 'PUT', `/v1/queues/${q}`);
    await callApi(url, 'POST', `/v1/queues/${q}/receive`, { json: { waitMs: 0 }, headers: { 'x-chute-consumer': 'worker-1' } });
    const res = await callApi(url, 'GET', `/v1/consumers?queue=${q}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.consumers.length, 1);
    assert.equal(res.body.consumers[0].queue, q);
    assert.equal(res.body.consumers[0].consumer, 'worker-1');
    const all = await callApi(url, 'GET', '/v1/consumers');
    assert.ok(all.body.consumers.some((c: { queue: string }) => c.queue === q));
  });

  it('an unknown route is a 404 in the error shape', async () => {
    const res = await callApi(url, 'GET', '/v1/nothing-here');
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'RouteNotFound');
  });
});
