/**
 * `chute topic create|subscribe|publish` and `chute dlq redrive` against a real `chute serve`.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Chute } from '@chutemq/client';
import { startServer, type RunningServer } from '../support/server-process.js';
import { runCli } from './cli-support.js';

let server: RunningServer;
let sdk: Chute;
const name = (kind: string): string => `cli-${kind}-${randomUUID().slice(0, 8)}`;
const chute = (args: string[], input?: string): ReturnType<typeof runCli> =>
  runCli(['--url', server.url, ...args], input === undefined ? {} : { input });

before(async () => {
  server = await startServer();
  sdk = new Chute({ url: server.url });
});
after(async () => {
  await sdk?.close();
  await server?.stop();
});

test('topic create, subscribe with a filter, publish', { timeout: 120_000 }, async () => {
  const t = name('t');
  const all = name('all');
  const eu = name('eu');
  await Promise.all([sdk.queue(all).create(), sdk.queue(eu).create()]);

  const created = await chute(['topic', 'create', t]);
  assert.equal(created.code, 0, created.stderr);
  assert.equal(created.stdout, `topic ${t} (0 subscriptions)\n`);
  assert.equal((await chute(['topic', 'subscribe', t, all])).stdout, `subscribed ${all} to ${t}\n`);
  const sub = await chute(['topic', 'subscribe', t, eu, '--routing-key', 'order.eu.*', '--json']);
  assert.equal(sub.code, 0, sub.stderr);
  assert.deepEqual(JSON.parse(sub.stdout).filter, { routingKey: 'order.eu.*' });

  const p1 = await chute(['topic', 'publish', t, 'for everyone', '--routing-key', 'order.us.ny']);
  assert.equal(p1.code, 0, p1.stderr);
  assert.equal(p1.stdout, `delivered to 1 queue: ${all}\n`);
  const p2 = await chute(['topic', 'publish', t, '--routing-key', 'order.eu.de', '--header', 'k=v', '--json'], '{"n":1}');
  assert.equal(p2.code, 0, p2.stderr);
  assert.deepEqual(JSON.parse(p2.stdout).deliveredTo.map((d: { queue: string }) => d.queue).sort(), [all, eu].sort());
  const [m] = await sdk.queue(eu).peek();
  assert.equal(m!.text(), '{"n":1}');
  assert.equal(m!.headers.k, 'v');
  assert.equal((await sdk.queue(all).stats()).ready, 2);

  const missing = await chute(['topic', 'publish', name('none'), 'x']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /TopicNotFound/);
});

test('dlq redrive moves dead letters back to their source', { timeout: 120_000 }, async () => {
  const dlq = name('dlq');
  const q = name('src');
  await sdk.queue(dlq).create();
  await sdk.queue(q).create({ maxDeliveries: 1, deadLetterQueue: dlq });
  await sdk.queue(q).sendBatch(['a', 'b', 'c'].map((body) => ({ body })));
  const leased = await sdk.queue(q).receive({ max: 3, waitMs: 1_000 });
  await sdk.queue(q).nack(leased);
  const deadline = Date.now() + 10_000;
  // Dead-lettering happens when the broker next looks at the returned messages.
  while ((await sdk.queue(dlq).stats()).total < 3 && Date.now() < deadline) await sdk.queue(q).receive({ waitMs: 100 });
  assert.equal((await sdk.queue(dlq).stats()).total, 3);

  const one = await chute(['dlq', 'redrive', dlq, '--max', '1']);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(one.stdout, `moved 1 message out of ${dlq}\n`);
  const rest = await chute(['dlq', 'redrive', dlq, '--json']);
  assert.deepEqual(JSON.parse(rest.stdout), { moved: 2 });
  assert.equal((await sdk.queue(q).stats()).ready, 3);
  assert.equal((await sdk.queue(dlq).stats()).total, 0);
});
