/**
 * `GET /metrics` of a real `chute serve`, parsed with a Prometheus text-format parser: every family
 * the console/metrics issue lists is there, and the numbers match what the test did through the SDK.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { Chute } from '@chutemq/client';
import { startServer, type RunningServer } from '../support/server-process.js';

/** One sample as the parser returns it (histogram families carry buckets, count and sum instead of value). */
interface ParsedSample {
  value?: string;
  labels?: Record<string, string>;
  buckets?: Record<string, string>;
  count?: string;
  sum?: string;
}

/** One metric family as the parser returns it. */
interface ParsedFamily {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: ParsedSample[];
}

// The parser ships no type declarations; this is the shape its README documents.
const parsePrometheusText = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => ParsedFamily[];

/** Every family the issue asks for, with its type. */
const expectedFamilies: Record<string, ParsedFamily['type']> = {
  chute_queue_messages: 'GAUGE',
  chute_queue_dead_letter_messages: 'GAUGE',
  chute_queue_oldest_message_age_seconds: 'GAUGE',
  chute_queue_bytes: 'GAUGE',
  chute_queue_messages_sent_total: 'COUNTER',
  chute_queue_messages_received_total: 'COUNTER',
  chute_queue_messages_acked_total: 'COUNTER',
  chute_queue_messages_nacked_total: 'COUNTER',
  chute_queue_messages_expired_total: 'COUNTER',
  chute_queue_messages_dead_lettered_total: 'COUNTER',
  chute_queue_lease_expiries_total: 'COUNTER',
  chute_http_requests_total: 'COUNTER',
  chute_http_request_duration_seconds: 'HISTOGRAM',
  chute_storage_commit_duration_seconds: 'HISTOGRAM',
  chute_storage_commits_total: 'COUNTER',
  chute_storage_commit_operations_total: 'COUNTER',
  chute_storage_commit_batch_size: 'GAUGE',
  process_resident_memory_bytes: 'GAUGE',
  nodejs_heap_size_used_bytes: 'GAUGE',
};

async function scrape(server: RunningServer): Promise<Map<string, ParsedFamily>> {
  const res = await fetch(`${server.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return new Map(parsePrometheusText(await res.text()).map((f) => [f.name, f]));
}

/** The value of the one sample of `family` whose labels include `labels`, or undefined. */
function valueOf(families: Map<string, ParsedFamily>, family: string, labels: Record<string, string> = {}): number | undefined {
  const f = families.get(family);
  assert.ok(f !== undefined, `family ${family} is missing`);
  const sample = f.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return sample?.value === undefined ? undefined : Number(sample.value);
}

describe('GET /metrics', { timeout: 120_000 }, () => {
  let server: RunningServer;
  let chute: Chute;

  before(async () => {
    server = await startServer();
    chute = new Chute({ url: server.url, maxRetries: 0 });
  });

  after(async () => {
    await chute?.close();
    await server?.stop();
  });

  test('every listed family is present with its type', { timeout: 30_000 }, async () => {
    await chute.queue(`present-${randomUUID().slice(0, 8)}`).create();
    const families = await scrape(server);
    for (const [name, type] of Object.entries(expectedFamilies)) {
      const f = families.get(name);
      assert.ok(f !== undefined, `family ${name} is missing`);
      assert.equal(f.type, type, `type of ${name}`);
      assert.ok(f.help.length > 0, `${name} has a help text`);
    }
    assert.ok((valueOf(families, 'process_resident_memory_bytes') ?? 0) > 0);
  });

  test('queue depths and counters match what was done', { timeout: 30_000 }, async () => {
    const name = `counted-${randomUUID().slice(0, 8)}`;
    const queue = chute.queue(name);
    await queue.create();
    for (let i = 0; i < 3; i++) await queue.send(`message ${i}`);
    const received = await queue.receive({ max: 3, visibilityTimeoutMs: 60_000 });
    assert.equal(received.length, 3);
    await queue.ack(received.slice(0, 2));
    await queue.send('later', { delayMs: 60_000 });

    const families = await scrape(server);
    const q = { queue: name };
    assert.equal(valueOf(families, 'chute_queue_messages_sent_total', q), 4);
    assert.equal(valueOf(families, 'chute_queue_messages_received_total', q), 3);
    assert.equal(valueOf(families, 'chute_queue_messages_acked_total', q), 2);
    assert.equal(valueOf(families, 'chute_queue_messages_nacked_total', q), 0);
    assert.equal(valueOf(families, 'chute_queue_messages_expired_total', q), 0);
    assert.equal(valueOf(families, 'chute_queue_messages', { queue: name, state: 'ready' }), 0);
    assert.equal(valueOf(families, 'chute_queue_messages', { queue: name, state: 'leased' }), 1);
    assert.equal(valueOf(families, 'chute_queue_messages', { queue: name, state: 'delayed' }), 1);
    assert.equal(valueOf(families, 'chute_queue_oldest_message_age_seconds', q), 0);
    assert.equal(valueOf(families, 'chute_queue_bytes', q), Buffer.byteLength('message 2') + Buffer.byteLength('later'));

    // A nack counts, and the message is ready again.
    await queue.nack(received.slice(2));
    const afterNack = await scrape(server);
    assert.equal(valueOf(afterNack, 'chute_queue_messages_nacked_total', q), 1);
    assert.equal(valueOf(afterNack, 'chute_queue_messages', { queue: name, state: 'ready' }), 1);
    assert.equal(valueOf(afterNack, 'chute_queue_messages', { queue: name, state: 'leased' }), 0);
  });

  test('the oldest ready message has an age', { timeout: 30_000 }, async () => {
    const name = `aged-${randomUUID().slice(0, 8)}`;
    await chute.queue(name).create();
    await chute.queue(name).send('waiting');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const age = valueOf(await scrape(server), 'chute_queue_oldest_message_age_seconds', { queue: name }) ?? 0;
    assert.ok(age >= 1 && age < 30, `age ${age} s`);
  });

  test('dead letters and lease expiries are counted on the source queue', { timeout: 30_000 }, async () => {
    const source = `source-${randomUUID().slice(0, 8)}`;
    const dlq = `${source}-dlq`;
    await chute.queue(dlq).create();
    await chute.queue(source).create({ maxDeliveries: 1, deadLetterQueue: dlq });
    await chute.queue(source).send('doomed');
    assert.equal((await chute.queue(source).receive({ visibilityTimeoutMs: 100 })).length, 1);
    const deadline = Date.now() + 10_000;
    while ((await chute.queue(dlq).stats()).ready < 1) {
      assert.ok(Date.now() < deadline, 'the message reached the dead-letter queue');
      await chute.queue(source).receive({ max: 1, waitMs: 0, visibilityTimeoutMs: 100 });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const families = await scrape(server);
    assert.equal(valueOf(families, 'chute_queue_messages_dead_lettered_total', { queue: source }), 1);
    assert.equal(valueOf(families, 'chute_queue_dead_letter_messages', { queue: source }), 1);
    assert.equal(valueOf(families, 'chute_queue_messages', { queue: dlq, state: 'ready' }), 1);
    assert.ok((valueOf(families, 'chute_queue_lease_expiries_total', { queue: source }) ?? 0) >= 1);
  });

  test('requests are counted per route pattern and status, never per raw URL', { timeout: 30_000 }, async () => {
    const name = `routed-${randomUUID().slice(0, 8)}`;
    await chute.queue(name).create();
    await chute.queue(name).stats();
    const missing = await fetch(`${server.url}/v1/queues/missing-${randomUUID().slice(0, 8)}/stats`);
    assert.equal(missing.status, 404);

    const families = await scrape(server);
    const requests = families.get('chute_http_requests_total');
    assert.ok(requests !== undefined);
    const statsRoutes = requests.metrics.filter((m) => m.labels?.method === 'GET' && /^\/v1\/queues\/:\w+\/stats$/.test(m.labels.route ?? ''));
    assert.ok(statsRoutes.some((m) => m.labels?.status === '200' && Number(m.value) >= 1), 'GET stats 200 counted');
    assert.ok(statsRoutes.some((m) => m.labels?.status === '404' && Number(m.value) >= 1), 'GET stats 404 counted');
    for (const m of requests.metrics) {
      assert.ok(!(m.labels?.route ?? '').includes(name), `route label ${m.labels?.route} names a queue`);
    }
  });

  test('storage commits, their latency and batch size are reported', { timeout: 30_000 }, async () => {
    const name = `stored-${randomUUID().slice(0, 8)}`;
    await chute.queue(name).create();
    await chute.queue(name).send('on disk');
    const families = await scrape(server);
    const commits = valueOf(families, 'chute_storage_commits_total') ?? 0;
    assert.ok(commits >= 1, `commits ${commits}`);
    assert.ok((valueOf(families, 'chute_storage_commit_operations_total') ?? 0) >= commits);
    assert.ok((valueOf(families, 'chute_storage_commit_batch_size') ?? 0) >= 1);
    const latency = families.get('chute_storage_commit_duration_seconds')?.metrics[0];
    assert.ok(latency?.buckets !== undefined && Number(latency.buckets['+Inf']) === Number(latency.count));
    assert.ok(Number(latency.count) >= 1);
  });
});
