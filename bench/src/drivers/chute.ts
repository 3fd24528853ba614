/**
 * Chute through `@chutemq/client` (over its channel: WebSockets), against a `chute serve`
 * child process the harness starts on a free port with its own data directory. The durable driver creates queues with
 * `durable: true` (confirmed after fsync: the fsync tier); the memory driver with
 * `durable: false` (the memory tier). Because the harness owns the process, it can also kill it
 * with SIGKILL and restart it (scenario 4).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Chute, type Consumer } from '@chutemq/client';
import { chuteMainSource, killHard, nodeFlagsOf, startChute, stopGracefully, type ChuteFrom, type ChuteProcess } from '../chute-process.js';
import { nowMs } from '../body.js';
import { sleep } from '../pump.js';
import { ConsumerErrors } from './consumer-errors.js';
import { pick } from './pick.js';
import type { BodyHandler, ConsumeOptions, ConsumerHandle, Driver, FanoutHandle, QueueHandle, RestartTiming, Tier } from '../types.js';

/** How long after a restart the broker may take to serve the backlog before scenario 4 fails. */
const servingTimeoutMs = 120_000;
/** Handlers the client runs at once; the handler is synchronous, so more would not help. */
const consumerConcurrency = 256;

/** Options of a Chute driver. */
export interface ChuteDriverOptions {
  durable: boolean;
  /** Parent of the broker's data directory. */
  workDir: string;
  /** Run the broker from its sources or from the compiled dist/. */
  from: ChuteFrom;
}

/** The Chute driver (durable or memory tier). */
export class ChuteDriver implements Driver {
  readonly id: string;
  readonly tier: Tier;
  readonly isChute = true;
  readonly setup: string;
  label: string;
  private readonly durable: boolean;
  private readonly from: ChuteFrom;
  private readonly dataDir: string;
  private server: ChuteProcess | null = null;
  private client: Chute | null = null;
  /** Running consumers, each with its errors (summed up when it stops). */
  private readonly consumers = new Map<Consumer, ConsumerErrors>();
  /** Start-up time of the broker on its empty data directory, measured by connect(). */
  private emptyStartMs = 0;

  constructor(options: ChuteDriverOptions) {
    this.durable = options.durable;
    this.from = options.from;
    this.id = options.durable ? 'chute' : 'chute-memory';
    this.tier = options.durable ? 'fsync' : 'memory';
    this.label = options.durable ? 'Chute (durable)' : 'Chute (durable: false)';
    // The first line of the sources is the compiled command's too: dist/ may not be built yet.
    const flags = nodeFlagsOf(chuteMainSource);
    const runs = `\`chute serve\` child process run from ${options.from === 'src' ? 'TypeScript sources (tsx)' : 'the compiled dist/'}${flags.length === 0 ? '' : ` with node \`${flags.join(' ')}\` (the flags of the command's first line)`}`;
    this.setup = options.durable
      ? `${runs}, embedded LMDB, queue durable: true (confirm after fsync, group commit); @chutemq/client over its channel (WebSockets, one per queue at most) with framed binary batches, auto-batched sends, consume() with acks`
      : `${runs}, queue durable: false (memory only); @chutemq/client over its channel (WebSockets, one per queue at most) with framed binary batches, auto-batched sends, consume() with acks`;
    this.dataDir = join(options.workDir, this.id);
  }

  async connect(): Promise<void> {
    mkdirSync(this.dataDir, { recursive: true });
    const started = nowMs();
    this.server = await startChute(this.dataDir, this.from);
    this.emptyStartMs = nowMs() - started;
    this.client = new Chute({ url: this.server.url });
    await this.client.health();
  }

  async fresh(): Promise<void> {
    await this.stopServer();
    await this.connect();
  }

  private chute(): Chute {
    if (this.client === null) throw new Error('Chute driver is not connected');
    return this.client;
  }

  private startConsumer(queue: string, onBody: BodyHandler, options: ConsumeOptions): ConsumerHandle {
    const errors = new ConsumerErrors(queue);
    const consumer = this.chute()
      .queue(queue)
      .consume(
        (m) => {
          onBody(m.body);
        },
        {
          concurrency: Math.min(options.prefetch, consumerConcurrency),
          maxInFlight: Math.max(options.prefetch, consumerConcurrency),
          onError: (error, context) => errors.add(error, context.phase),
        },
      );
    this.consumers.set(consumer, errors);
    return {
      stop: async () => {
        this.consumers.delete(consumer);
        await consumer.stop();
        errors.summarise();
      },
    };
  }

  async openQueue(name: string): Promise<QueueHandle> {
    const queue = this.chute().queue(name);
    await queue.create({ durable: this.durable });
    return {
      name,
      publish: async (body) => {
        await queue.send(body);
      },
      consume: async (onBody, options) => this.startConsumer(name, onBody, options),
      delete: () => queue.delete(),
    };
  }

  async openFanout(name: string, queueCount: number): Promise<FanoutHandle> {
    const chute = this.chute();
    const topic = chute.topic(name);
    await topic.create();
    const queues = Array.from({ length: queueCount }, (_, i) => `${name}-q${i}`);
    for (const q of queues) {
      await chute.queue(q).create({ durable: this.durable });
      await topic.subscribe(q);
    }
    return {
      name,
      queueCount,
      publish: async (body) => {
        await topic.publish(body);
      },
      consume: async (index, onBody, options) => this.startConsumer(pick(queues, index), onBody, options),
      delete: async () => {
        await topic.delete();
        for (const q of queues) await chute.queue(q).delete();
      },
    };
  }

  async brokerPid(): Promise<number | null> {
    return this.server?.proc.pid ?? null;
  }

  async restart(queue: QueueHandle): Promise<RestartTiming> {
    if (this.server === null) throw new Error('Chute driver is not connected');
    const port = this.server.port;
    const killedAt = nowMs();
    await killHard(this.server.proc);
    this.server = await startChute(this.dataDir, this.from, port);
    const listeningAfterMs = nowMs() - killedAt;
    const q = this.chute().queue(queue.name);
    const deadline = killedAt + servingTimeoutMs;
    for (;;) {
      try {
        const [m] = await q.receive({ max: 1, waitMs: 1000 });
        if (m !== undefined) {
          // Give it back at once, so the drain that follows sees the whole backlog.
          await m.nack(0);
          return { emptyStartMs: this.emptyStartMs, listeningAfterMs, servingAfterMs: nowMs() - killedAt };
        }
      } catch (e) {
        // Connections of the killed process fail until the client reconnects; keep asking.
        if (nowMs() > deadline) throw e;
      }
      if (nowMs() > deadline) throw new Error(`no message served within ${servingTimeoutMs} ms of the restart`);
      await sleep(10);
    }
  }

  async close(): Promise<void> {
    await this.stopServer();
  }

  /** Stops consumers, the client and the broker, and removes the data directory. */
  private async stopServer(): Promise<void> {
    await Promise.all(
      [...this.consumers].map(async ([consumer, errors]) => {
        await consumer.stop().catch(() => undefined);
        errors.summarise();
      }),
    );
    this.consumers.clear();
    await this.client?.close().catch(() => undefined);
    this.client = null;
    if (this.server !== null) await stopGracefully(this.server.proc);
    this.server = null;
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
