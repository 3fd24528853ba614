/**
 * The SDK's topic calls against a real `chute serve` process.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Chute, ChuteError } from '@chutemq/client';
import { startServer, type RunningServer } from '../support/server-process.js';

let server: RunningServer;
let chute: Chute;
const name = (kind: string): string => `sdk-${kind}-${randomUUID().slice(0, 8)}`;

before(async () => {
  server = await startServer();
  chute = new Chute({ url: server.url });
});
after(async () => {
  await chute?.close();
  await server?.stop();
});

test('publish fans out to matching subscriptions only', { timeout: 20_000 }, async () => {
  const topic = chute.topic(name('t'));
  const created = await topic.create();
  assert.equal(created.name, topic.name);
  assert.deepEqual(created.subscriptions, []);
  const all = chute.queue(name('all'));
  const eu = chute.queue(name('eu'));
  const vip = chute.queue(name('vip'));
  await Promise.all([all.create(), eu.create(), vip.create()]);
  await topic.subscribe(all);
  const sub = await topic.subscribe(eu.name, { routingKey: 'order.eu.#' });
  assert.deepEqual(sub.filter, { routingKey: 'order.eu.#' });
  await topic.subscribe(vip, { headers: { tier: 'gold' } });

  const r1 = await topic.publish({ id: 1 }, { routingKey: 'order.eu.de' });
  assert.deepEqual(r1.deliveredTo.map((d) => d.queue).sort(), [all.name, eu.name].sort());
  const r2 = await topic.publish('gold order', { routingKey: 'order.us', headers: { tier: 'gold' } });
  assert.deepEqual(r2.deliveredTo.map((d) => d.queue).sort(), [all.name, vip.name].sort());

  const [copy] = await eu.receive({ waitMs: 1_000 });
  assert.deepEqual(copy!.json(), { id: 1 });
  assert.equal((await all.stats()).ready, 2);

  const info = await topic.get();
  assert.equal(info.subscriptions.length, 3);
  assert.ok((await chute.topics({ prefix: topic.name })).some((t) => t.name === topic.name));

  await topic.unsubscribe(vip);
  await assert.rejects(topic.unsubscribe(vip), (e: unknown) => e instanceof ChuteError && e.code === 'SubscriptionNotFound');
  await topic.delete();
  await assert.rejects(topic.get(), (e: unknown) => e instanceof ChuteError && e.code === 'TopicNotFound' && e.status === 404);
  await all.get(); // queues stay
});

test('a publish with a wrongly typed option fails alone, the others of its batch go through', { timeout: 20_000 }, async () => {
  const topic = chute.topic(name('t'));
  await topic.create();
  const q = chute.queue(name('q'));
  await q.create();
  await topic.subscribe(q);
  const results = await Promise.allSettled([
    topic.publish('a'),
    topic.publish('b', { routingKey: 5 as unknown as string }),
    topic.publish('c', { priority: 'high' as unknown as number }),
    topic.publish('d'),
  ]);
  assert.deepEqual(
    results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as ChuteError).field)),
    ['ok', 'routingKey', 'priority', 'ok'],
  );
  assert.equal((await q.stats()).ready, 2);
});
