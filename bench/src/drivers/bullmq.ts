/**
 * BullMQ on the shared Redis. A publish is `Queue.add` (confirmed when Redis ran the script); a
 * consumer is a Worker whose job completion is the ack, with completed jobs removed. This Redis
 * keeps nothing on disk (no RDB snapshots, no AOF), so BullMQ is in the memory tier. Redis is a
 * shared machine service: the harness never kills it.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { findPid } from '../proc.js';
import { ConsumerErrors } from './consumer-errors.js';
import { Leftovers } from './leftovers.js';
import { pick } from './pick.js';
import type { BodyHandler, ConsumeOptions, ConsumerHandle, Driver, FanoutHandle, QueueHandle, Tier } from '../types.js';

/** Where the shared Redis listens. */
export const redisAddress = { host: '127.0.0.1', port: 6379 };

/** How long the connection probe waits for Redis to answer. */
const probeTimeoutMs = 5_000;

/** Job payload: the body as base64, since BullMQ stores job data as JSON. */
interface JobData {
  b: string;
}

/** The BullMQ driver. */
export class BullmqDriver implements Driver {
  readonly id = 'bullmq';
  readonly tier: Tier = 'memory';
  readonly isChute = false;
  setup = 'Queue.add per message, Worker with concurrency = prefetch, removeOnComplete; Redis without persistence';
  label = 'BullMQ';
  /** Queues, streams or exchanges created and not yet deleted, deleted on close if a run stops early. */
  private readonly leftovers = new Leftovers();
  /** Every Redis connection opened, so close() can end them all. */
  private readonly connections: Redis[] = [];
  private readonly open: Array<Queue | Worker> = [];

  private redis(): Redis {
    // Workers block on their connection, so every Queue and Worker gets its own.
    const r = new Redis({ ...redisAddress, maxRetriesPerRequest: null, lazyConnect: false });
    this.connections.push(r);
    return r;
  }

  async connect(): Promise<void> {
    // A probe that gives up on the first refusal: the connections BullMQ needs retry for ever,
    // so a missing Redis would cost the run the whole connect timeout and a trace per retry.
    const probe = new Redis({ ...redisAddress, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: probeTimeoutMs });
    // ioredis reports the cause as an event and rejects connect() with "Connection is closed".
    let cause: unknown;
    probe.on('error', (e: unknown) => {
      cause ??= e;
    });
    try {
      await probe.connect().catch((e: unknown) => {
        throw cause ?? e;
      });
      const info = await probe.info('server');
      const persistence = await probe.info('persistence');
      const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
      this.label = `BullMQ (Redis ${version})`;
      if (!/aof_enabled:0/.test(persistence)) this.setup += ' (note: this Redis reports AOF enabled)';
    } finally {
      probe.disconnect();
    }
  }

  private newQueue(name: string): Queue<JobData> {
    const q = new Queue<JobData>(name, {
      connection: this.redis(),
      defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
    });
    this.open.push(q);
    return q;
  }

  private async startWorker(name: string, onBody: BodyHandler, options: ConsumeOptions): Promise<ConsumerHandle> {
    const worker = new Worker<JobData>(
      name,
      async (job) => {
        onBody(Buffer.from(job.data.b, 'base64'));
      },
      { connection: this.redis(), concurrency: options.prefetch, removeOnComplete: { count: 0 }, removeOnFail: { count: 0 } },
    );
    const errors = new ConsumerErrors(name);
    worker.on('error', (e) => errors.add(e, 'worker'));
    this.open.push(worker);
    await worker.waitUntilReady();
    return {
      stop: async () => {
        await worker.close();
        errors.summarise();
      },
    };
  }

  private static data(body: Uint8Array): JobData {
    return { b: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64') };
  }

  async openQueue(name: string): Promise<QueueHandle> {
    const queue = this.newQueue(name);
    await queue.waitUntilReady();
    return {
      name,
      publish: async (body) => {
        await queue.add('m', BullmqDriver.data(body));
      },
      consume: (onBody, options) => this.startWorker(name, onBody, options),
      delete: this.leftovers.add(name, async () => {
        await queue.obliterate({ force: true });
        await queue.close();
      }),
    };
  }

  async openFanout(name: string, queueCount: number): Promise<FanoutHandle> {
    // BullMQ has no topics: the producer adds each message to every queue itself.
    const names = Array.from({ length: queueCount }, (_, i) => `${name}-q${i}`);
    const queues = names.map((n) => this.newQueue(n));
    await Promise.all(queues.map((q) => q.waitUntilReady()));
    return {
      name,
      queueCount,
      publish: async (body) => {
        const data = BullmqDriver.data(body);
        await Promise.all(queues.map((q) => q.add('m', data)));
      },
      consume: (index, onBody, options) => this.startWorker(pick(names, index), onBody, options),
      delete: this.leftovers.add(name, async () => {
        for (const q of queues) {
          await q.obliterate({ force: true });
          await q.close();
        }
      }),
    };
  }

  brokerPid(): Promise<number | null> {
    return findPid('redis-server.*6379');
  }

  async close(): Promise<void> {
    // Workers first, without waiting for their jobs: a queue deleted under a running worker
    // fails every job it still holds.
    await Promise.all(this.open.filter((o): o is Worker => o instanceof Worker).map((w) => w.close(true).catch(() => undefined)));
    await this.leftovers.clear();
    for (const o of this.open) await o.close().catch(() => undefined);
    for (const r of this.connections) r.disconnect();
  }
}
