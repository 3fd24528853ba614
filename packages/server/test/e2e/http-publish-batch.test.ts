/**
 * Batch publish over HTTP and its use by the SDK: each message is its own atomic publish, a batch
 * answers per message, and publishes issued together by the SDK share one request.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Chute } from '@chutemq/client';
import { callApi, startServer, type RunningServer } from '../support/server-process.js';

const name = (p: string): string => `${p}-${randomUUID().slice(0, 8)}`;

describe('batch publish', { timeout: 60_000 }, () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.stop();
  });

  it('answers per message: one refused (queue full) does not stop the others', async () => {
    const topic = name('t');
    const open = name('open');
    const small = name('small');
    await callApi(server.url, 'PUT', `/v1/topics/${topic}`);
    await callApi(server.url, 'PUT', `/v1/queues/${open}`);
    await callApi(server.url, 'PUT', `/v1/queues/${small}`, { json: { maxLength: 2 } });
    await callApi(server.url, 'PUT', `/v1/topics/${topic}/subscriptions/${open}`, { json: {} });
    await callApi(server.url, 'PUT', `/v1/topics/${topic}/subscriptions/${small}`, { json: {} });
    const res = await callApi(server.url, 'POST', `/v1/topics/${topic}/publish`, {
      json: { messages: [{ body: 'a' }, { body: 'b' }, { body: 'c' }] },
    });
    assert.equal(res.status, 200);
    const results = res.body.results as Array<{ ok: boolean; deliveredTo?: unknown[]; error?: { code: string } }>;
    assert.equal(results.length, 3);
    assert.equal(results.filter((r) => r.ok).length, 2);
    assert.ok(results.filter((r) => r.ok).every((r) => r.deliveredTo?.length === 2));
    assert.equal(results.find((r) => !r.ok)?.error?.code, 'QueueFull');
    // Atomic per message: the refused one reached neither queue.
    assert.equal((await callApi(server.url, 'GET', `/v1/queues/${open}/stats`)).body.total, 2);
    assert.equal((await callApi(server.url, 'GET', `/v1/queues/${small}/stats`)).body.total, 2);
  });

  it('names the fields of a failing message by its place in the batch, and a single publish by the field alone', async () => {
    const topic = name('t');
    const q = name('q');
    await callApi(server.url, 'PUT', `/v1/topics/${topic}`);
    await callApi(server.url, 'PUT', `/v1/queues/${q}`);
    await callApi(server.url, 'PUT', `/v1/topics/${topic}/subscriptions/${q}`, { json: {} });
    const res = await callApi(server.url, 'POST', `/v1/topics/${topic}/publish`, {
      json: {
        messages: [
          { body: 'a' },
          { body: 'b', priority: 99 },
          { body: 'c', headers: { h: { base64: '%%%' } } },
          { body: 'd', routingKey: 'x'.repeat(300) },
          { body: 'e' },
        ],
      },
    });
    assert.equal(res.status, 200);
    const results = res.body.results as Array<{ ok: boolean; error?: { field: string } }>;
    assert.deepEqual(
      results.map((r) => (r.ok ? 'ok' : r.error?.field)),
      ['ok', 'messages[1].priority', 'messages[2].headers.h.base64', 'messages[3].routingKey', 'ok'],
    );
    assert.equal((await callApi(server.url, 'GET', `/v1/queues/${q}/stats`)).body.total, 2);
    const single = await callApi(server.url, 'POST', `/v1/topics/${topic}/publish`, { json: { body: 'f', priority: 99 } });
    assert.equal(single.status, 400);
    assert.equal(single.body.error.field, 'priority');
  });

  it('refuses an empty batch and one over 1000 messages', async () => {
    const topic = name('t');
    await callApi(server.url, 'PUT', `/v1/topics/${topic}`);
    const empty = await callApi(server.url, 'POST', `/v1/topics/${topic}/publish`, { json: { messages: [] } });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.error.code, 'EmptyBatch');
    const big = await callApi(server.url, 'POST', `/v1/topics/${topic}/publish`, {
      json: { messages: Array.from({ length: 1001 }, () => ({ body: 'x' })) },
    });
    assert.equal(big.status, 400);
    assert.equal(big.body.error.code, 'BatchTooLarge');
  });

  it('the SDK sends publishes issued together in one request, each resolving with its own copies', async () => {
    const chute = new Chute({ url: server.url });
    const topic = chute.topic(name('t'));
    await topic.create();
    const q = chute.queue(name('q'));
    await q.create();
    await topic.subscribe(q);
    const before = await requestCount(server.url);
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => topic.publish(`m${i}`)));
    const requests = (await requestCount(server.url)) - before;
    assert.ok(results.every((r) => r.deliveredTo.length === 1 && r.deliveredTo[0]?.queue === q.name));
    assert.equal(new Set(results.map((r) => r.deliveredTo[0]?.id)).size, 200);
    assert.ok(requests <= 2, `200 publishes took ${requests} requests`);
    assert.equal((await q.stats()).total, 200);
    await chute.close();
  });
});

/** Publish requests served so far, from the broker's own metrics. */
async function requestCount(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('chute_http_requests_total{') && l.includes('route="/v1/topics/:topic/publish"'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}
