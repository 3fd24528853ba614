/**
 * Prometheus metrics: `GET /metrics` in the text exposition format, built with prom-client.
 *
 * Queue depths, ages and counters are read from the broker at scrape time (the broker already keeps
 * them), so nothing here sits on the message path. Only the HTTP request metrics are recorded as
 * requests happen, by fastify hooks. docs/console.md lists every family.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BrokerApi } from '../core/broker-api.js';
import type { StorageStats } from '../core/backend.js';
import { isChuteError } from '../core/errors.js';
import type { QueueStats } from '../core/types.js';
import { type Authenticator, isAccessError } from '../protocols/auth-types.js';

/** What the metrics need from the broker: its API plus the storage layer's commit counters. */
export type MetricsSource = BrokerApi & { storageStats(): StorageStats };

/** Options of {@link registerMetrics}. */
export interface MetricsOptions {
  broker: MetricsSource;
  /**
   * The server's token check. Scrapes from loopback are always allowed (the Prometheus convention
   * for a local agent); scrapes from elsewhere need any valid token, whatever its permissions, or a
   * server without tokens (the authenticator then returns null). Left out, everyone may scrape.
   */
  authenticate?: Authenticator;
}

/** Bucket bounds in seconds of the HTTP latency histogram: 0.5 ms to 30 s (long polls wait up to 20 s). */
const httpLatencyBucketsSeconds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30];

/** Queues listed per call while collecting; the whole list is walked page by page. */
const queueListPageSize = 500;

/** Route label of requests that matched no route, so that random URLs cannot grow the label set. */
const unmatchedRoute = 'unmatched';

type QueueCounterName = 'sent' | 'received' | 'acked' | 'nacked' | 'expired' | 'deadLettered' | 'leaseExpired' | 'deduplicated' | 'dropped';

/** Each per-queue counter family and the `QueueTotals` field it reports. */
const queueCounterFamilies: Array<{ field: QueueCounterName; name: string; help: string }> = [
  { field: 'sent', name: 'chute_queue_messages_sent_total', help: 'Messages stored by sends and publishes since the broker started.' },
  { field: 'received', name: 'chute_queue_messages_received_total', help: 'Messages handed out by receives since the broker started.' },
  { field: 'acked', name: 'chute_queue_messages_acked_total', help: 'Messages acknowledged since the broker started.' },
  { field: 'nacked', name: 'chute_queue_messages_nacked_total', help: 'Messages given back by nack since the broker started.' },
  { field: 'expired', name: 'chute_queue_messages_expired_total', help: 'Messages past their retention or TTL since the broker started.' },
  { field: 'deadLettered', name: 'chute_queue_messages_dead_lettered_total', help: 'Messages moved to the dead-letter queue since the broker started.' },
  { field: 'leaseExpired', name: 'chute_queue_lease_expiries_total', help: 'Leases that ended without ack or nack since the broker started.' },
  { field: 'deduplicated', name: 'chute_queue_messages_deduplicated_total', help: 'Sends recognised as duplicates and not stored since the broker started.' },
  { field: 'dropped', name: 'chute_queue_messages_dropped_total', help: 'Messages dropped by the overflow policy since the broker started.' },
];

const storageLatencyName = 'chute_storage_commit_duration_seconds';
const storageLatencyHelp = 'Time from the start of a storage commit to its flush to disk.';

/** What a prom-client metric reports when collected. */
type MetricSnapshot = Awaited<ReturnType<Histogram<string>['get']>>;

/**
 * A histogram whose buckets are kept elsewhere (by the storage layer) and copied in at scrape time,
 * converted from milliseconds to seconds. prom-client histograms only learn through observe(), so
 * this one replaces what it reports: get() for JSON, and getForPromString(), which prom-client's
 * registry calls instead of get() when it writes the text format.
 */
class StorageLatencyHistogram extends Histogram<string> {
  /** An unregistered twin that supplies the name, help, type and aggregator of the snapshot. */
  private readonly template = new Histogram({ name: storageLatencyName, help: storageLatencyHelp, buckets: [], registers: [] });

  constructor(
    registry: Registry,
    private readonly read: () => StorageStats['commitLatencyMs'],
  ) {
    super({ name: storageLatencyName, help: storageLatencyHelp, buckets: [], registers: [registry] });
  }

  override async get(): Promise<MetricSnapshot> {
    return this.snapshot();
  }

  async getForPromString(): Promise<MetricSnapshot> {
    return this.snapshot();
  }

  private async snapshot(): Promise<MetricSnapshot> {
    const base = await this.template.get();
    const latency = this.read();
    const buckets = [...latency.buckets].sort((a, b) => a.le - b.le);
    const bucketName = `${storageLatencyName}_bucket`;
    return {
      ...base,
      values: [
        ...buckets.map((b) => ({ metricName: bucketName, labels: { le: b.le / 1000 }, value: b.count })),
        { metricName: bucketName, labels: { le: '+Inf' }, value: latency.count },
        { metricName: `${storageLatencyName}_sum`, labels: {}, value: latency.sum / 1000 },
        { metricName: `${storageLatencyName}_count`, labels: {}, value: latency.count },
      ],
    };
  }
}

/** The families refreshed from the broker before each scrape. */
interface BrokerFamilies {
  depth: Gauge<'queue' | 'state'>;
  deadLetterDepth: Gauge<'queue'>;
  bytes: Gauge<'queue'>;
  oldestAge: Gauge<'queue'>;
  counters: Array<{ field: QueueCounterName; counter: Counter<'queue'> }>;
  storageCommits: Counter<string>;
  storageOps: Counter<string>;
  storageBatchMean: Gauge<string>;
  storageFileBytes: Gauge<'engine'>;
}

function createBrokerFamilies(registry: Registry, broker: MetricsSource): BrokerFamilies {
  const registers = [registry];
  new StorageLatencyHistogram(registry, () => broker.storageStats().commitLatencyMs);
  return {
    depth: new Gauge({ name: 'chute_queue_messages', help: 'Messages held per queue by state (ready, leased, delayed).', labelNames: ['queue', 'state'], registers }),
    deadLetterDepth: new Gauge({ name: 'chute_queue_dead_letter_messages', help: "Messages held in the queue's dead-letter queue (0 without one).", labelNames: ['queue'], registers }),
    bytes: new Gauge({ name: 'chute_queue_bytes', help: 'Sum of the body sizes held per queue.', labelNames: ['queue'], registers }),
    oldestAge: new Gauge({ name: 'chute_queue_oldest_message_age_seconds', help: 'Age of the oldest ready message per queue (0 when none is ready).', labelNames: ['queue'], registers }),
    counters: queueCounterFamilies.map((f) => ({ field: f.field, counter: new Counter({ name: f.name, help: f.help, labelNames: ['queue'], registers }) })),
    storageCommits: new Counter({ name: 'chute_storage_commits_total', help: 'Storage commits (each one disk flush for durable data).', registers }),
    storageOps: new Counter({ name: 'chute_storage_commit_operations_total', help: 'Writes and removals carried by storage commits; divided by commits it gives the batch size.', registers }),
    storageBatchMean: new Gauge({ name: 'chute_storage_commit_batch_size', help: 'Mean operations per storage commit since the broker started.', registers }),
    storageFileBytes: new Gauge({ name: 'chute_storage_file_bytes', help: 'Size of the storage data file.', labelNames: ['engine'], registers }),
  };
}

/** Reads the stats of every queue, skipping queues deleted while the list was walked. */
async function readAllQueueStats(broker: BrokerApi): Promise<QueueStats[]> {
  const out: QueueStats[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await broker.listQueues(after === undefined ? { limit: queueListPageSize } : { after, limit: queueListPageSize });
    if (page.length === 0) return out;
    for (const queue of page) {
      try {
        out.push(await broker.queueStats(queue.name));
      } catch (e) {
        if (!isChuteError(e, 'QueueNotFound')) throw e;
      }
    }
    after = page[page.length - 1]?.name;
  }
}

/** Copies the broker's current numbers into the families; families of deleted queues disappear. */
async function refresh(families: BrokerFamilies, broker: MetricsSource): Promise<void> {
  const all = await readAllQueueStats(broker);
  families.depth.reset();
  families.deadLetterDepth.reset();
  families.bytes.reset();
  families.oldestAge.reset();
  for (const { counter } of families.counters) counter.reset();
  for (const s of all) {
    const queue = s.name;
    families.depth.set({ queue, state: 'ready' }, s.ready);
    families.depth.set({ queue, state: 'leased' }, s.leased);
    families.depth.set({ queue, state: 'delayed' }, s.scheduled);
    families.deadLetterDepth.set({ queue }, s.deadLettered);
    families.bytes.set({ queue }, s.bytes);
    families.oldestAge.set({ queue }, s.oldestReadyAgeMs / 1000);
    for (const { field, counter } of families.counters) counter.inc({ queue }, s.totals[field]);
  }
  const storage = broker.storageStats();
  families.storageCommits.reset();
  families.storageCommits.inc(storage.commits);
  families.storageOps.reset();
  families.storageOps.inc(storage.commitOps);
  families.storageBatchMean.set(storage.commits === 0 ? 0 : storage.commitOps / storage.commits);
  families.storageFileBytes.reset();
  families.storageFileBytes.set({ engine: storage.engine }, storage.fileBytes);
}

/** True for addresses of this machine (127.0.0.0/8, ::1, and their IPv4-mapped IPv6 forms). */
function isLoopback(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return v4.startsWith('127.') || address === '::1';
}

/** Loopback may always scrape; any other caller needs whatever the authenticator accepts. */
function mayScrape(request: FastifyRequest, authenticate: Authenticator | undefined): boolean {
  if (isLoopback(request.ip) || authenticate === undefined) return true;
  try {
    authenticate({ authorization: request.headers.authorization, remoteAddress: request.socket.remoteAddress });
    return true;
  } catch (e) {
    if (isAccessError(e)) return false;
    throw e;
  }
}

/** Sends the wire-form 401 of the native API. */
function unauthorized(reply: FastifyReply): FastifyReply {
  return reply
    .code(401)
    .header('www-authenticate', 'Bearer realm="chute"')
    .send({ error: { code: 'Unauthorized', message: 'Scraping /metrics from another host needs a valid token (Authorization: Bearer <token>).' } });
}

/**
 * Adds `GET /metrics` and the request-metrics hooks to `app`. The hooks are added to `app` itself,
 * not to an encapsulated child, so they see every route registered on it, before or after.
 */
export async function registerMetrics(app: FastifyInstance, opts: MetricsOptions): Promise<void> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const families = createBrokerFamilies(registry, opts.broker);
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'chute_http_requests_total', help: 'HTTP requests answered, by route pattern and status.', labelNames, registers: [registry] });
  const latency = new Histogram({ name: 'chute_http_request_duration_seconds', help: 'Time to answer HTTP requests, by route pattern and status.', labelNames, buckets: httpLatencyBucketsSeconds, registers: [registry] });

  app.addHook('onResponse', (request, reply, done) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? unmatchedRoute, status: String(reply.statusCode) };
    requests.inc(labels);
    latency.observe(labels, reply.elapsedTime / 1000);
    done();
  });

  app.get('/metrics', async (request, reply) => {
    if (!mayScrape(request, opts.authenticate)) return unauthorized(reply);
    await refresh(families, opts.broker);
    const text = await registry.metrics();
    return reply.header('content-type', registry.contentType).send(text);
  });
}

// fastify encapsulates a function passed to app.register(); this marker (what fastify-plugin sets)
// keeps the hooks on the parent instance either way, so every API route is measured.
Object.assign(registerMetrics, { [Symbol.for('skip-override')]: true });
