/**
 * Access tokens against a real `chute serve` process: no token and a wrong token are 401, a token
 * without the permission is 403, nothing is stored on a refusal, listings show only what a token
 * may see, and no secret ever appears in the server's output.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { callApi, startServer, type RunningServer } from '../support/server-process.js';

const suffix = (): string => randomUUID().slice(0, 8);
const admin = `admin-${randomUUID()}`;
const producer = `producer-${randomUUID()}`;
const consumer = `consumer-${randomUUID()}`;

describe('access tokens', { timeout: 120_000 }, () => {
  let server: RunningServer;
  let url: string;
  const orders = `orders-${suffix()}`;
  const billing = `billing-${suffix()}`;

  before(async () => {
    server = await startServer({
      args: ['--log-requests', '--log-level', 'trace'],
      config: {
        tokens: [
          { name: 'admin', token: admin, permissions: [{ queues: '*', actions: ['send', 'receive', 'manage'] }] },
          { name: 'producer', token: producer, permissions: [{ queues: 'orders-*', actions: ['send'] }] },
          { name: 'consumer', token: consumer, permissions: [{ queues: 'orders-*', actions: ['receive'] }] },
        ],
      },
    });
    url = server.url;
    assert.equal((await callApi(url, 'PUT', `/v1/queues/${orders}`, { token: admin })).status, 201);
    assert.equal((await callApi(url, 'PUT', `/v1/queues/${billing}`, { token: admin })).status, 201);
  });
  after(async () => {
    assert.equal(await server.stop(), 0);
  });

  async function total(queue: string): Promise<number> {
    const res = await callApi(url, 'GET', `/v1/queues/${queue}/stats`, { token: admin });
    assert.equal(res.status, 200);
    return res.body.total;
  }

  it('healthz needs no token', async () => {
    assert.equal((await callApi(url, 'GET', '/healthz')).status, 200);
  });

  it('no token is 401 with WWW-Authenticate, and nothing is stored', async () => {
    const res = await callApi(url, 'POST', `/v1/queues/${orders}/messages`, { json: { body: 'x' } });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'Unauthorized');
    assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    const raw = await callApi(url, 'POST', `/v1/queues/${orders}/messages`, { raw: new Uint8Array(8) });
    assert.equal(raw.status, 401);
    assert.equal((await callApi(url, 'GET', '/v1/queues')).status, 401);
    assert.equal(await total(orders), 0);
  });

  it('a wrong token is 401, and nothing is stored', async () => {
    const res = await callApi(url, 'POST', `/v1/queues/${orders}/messages`, { json: { body: 'x' }, token: `${producer}x` });
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'Unauthorized');
    const malformed = await callApi(url, 'GET', '/v1/queues', { headers: { authorization: `Basic ${producer}` } });
    assert.equal(malformed.status, 401);
    assert.equal(await total(orders), 0);
  });

  it('a token without the permission is 403, and nothing is stored', async () => {
    const wrongQueue = await callApi(url, 'POST', `/v1/queues/${billing}/messages`, { json: { body: 'x' }, token: producer });
    assert.equal(wrongQueue.status, 403);
    assert.equal(wrongQueue.body.error.code, 'Forbidden');
    const batch = await callApi(url, 'POST', `/v1/queues/${billing}/messages`, { json: { messages: [{ body: 'x' }] }, token: producer });
    assert.equal(batch.status, 403);
    const consumerSends = await callApi(url, 'POST', `/v1/queues/${orders}/messages`, { json: { body: 'x' }, token: consumer });
    assert.equal(consumerSends.status, 403);
    const producerReceives = await callApi(url, 'POST', `/v1/queues/${orders}/receive`, { json: {}, token: producer });
    assert.equal(producerReceives.status, 403);
    const producerManages = await callApi(url, 'PUT', `/v1/queues/orders-${suffix()}`, { token: producer });
    assert.equal(producerManages.status, 403);
    const producerPurges = await callApi(url, 'POST', `/v1/queues/${orders}/purge`, { token: producer });
    assert.equal(producerPurges.status, 403);
    assert.equal(await total(orders), 0);
    assert.equal(await total(billing), 0);
  });

  it('tokens with the permission send and receive on matching queues', async () => {
    const sent = await callApi(url, 'POST', `/v1/queues/${orders}/messages`, { json: { body: 'order 1' }, token: producer });
    assert.equal(sent.status, 201);
    const got = await callApi(url, 'POST', `/v1/queues/${orders}/receive`, { json: {}, token: consumer });
    assert.equal(got.status, 200);
    assert.equal(got.body.messages[0].body, 'order 1');
    const acked = await callApi(url, 'POST', `/v1/queues/${orders}/ack`, { json: { receipts: [got.body.messages[0].receipt] }, token: consumer });
    assert.equal(acked.status, 200);
  });

  it('listings show only the queues a token may use', async () => {
    const asProducer = await callApi(url, 'GET', '/v1/queues', { token: producer });
    assert.equal(asProducer.status, 200);
    const names = asProducer.body.queues.map((q: { name: string }) => q.name);
    assert.ok(names.includes(orders));
    assert.ok(!names.includes(billing));
    const asAdmin = await callApi(url, 'GET', '/v1/queues', { token: admin });
    assert.ok(asAdmin.body.queues.some((q: { name: string }) => q.name === billing));
    const stats = await callApi(url, 'GET', `/v1/queues/${billing}/stats`, { token: producer });
    assert.equal(stats.status, 403);
  });

  it('topics use the same patterns: publish needs send on the topic', async () => {
    const topic = `orders-events-${suffix()}`;
    assert.equal((await callApi(url, 'PUT', `/v1/topics/${topic}`, { token: producer })).status, 403);
    assert.equal((await callApi(url, 'PUT', `/v1/topics/${topic}`, { token: admin })).status, 201);
    assert.equal((await callApi(url, 'PUT', `/v1/topics/${topic}/subscriptions/${orders}`, { token: admin })).status, 200);
    const pub = await callApi(url, 'POST', `/v1/topics/${topic}/publish`, { json: { body: 'event' }, token: producer });
    assert.equal(pub.status, 200);
    const denied = await callApi(url, 'POST', `/v1/topics/${topic}/publish`, { json: { body: 'event' }, token: consumer });
    assert.equal(denied.status, 403);
    assert.equal(await total(orders), 1);
  });

  it('no secret appears in the server output, even with request logs at trace level', async () => {
    const output = server.stdout() + server.stderr();
    assert.ok(output.includes('"event":"started"'), 'the server logged its start');
    for (const secret of [admin, producer, consumer]) assert.ok(!output.includes(secret), 'a token leaked into the logs');
    assert.ok(!/authorization/i.test(output) || !/Bearer/.test(output));
  });
});
