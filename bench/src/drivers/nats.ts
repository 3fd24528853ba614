/**
 * NATS JetStream through the `nats` client: one file-storage stream per queue with work-queue
 * retention (a message is removed once acked), a durable pull consumer with explicit acks.
 * JetStream acknowledges a publish once the message is in its file store, which is written to
 * the page cache and fsync'd later in the background: the page-cache tier. The shared server here
 * is 2.9.x, which has no per-stream sync setting and no server-wide `sync_interval` option
 * either (that arrived in 2.10), so "sync always" cannot be measured on it.
 */
import {
  AckPolicy,
  connect,
  DeliverPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import { findPid } from '../proc.js';
import { Leftovers } from './leftovers.js';
import { pick } from './pick.js';
import type { BodyHandler, ConsumeOptions, ConsumerHandle, Driver, FanoutHandle, QueueHandle, Tier } from '../types.js';

/** Where the shared NATS server listens. */
export const natsServer = '127.0.0.1:4222';

/**
 * Wait for a PubAck. The client's default of 5 s fails publishes on a busy machine that the
 * server does accept later; the other clients wait for their confirms without a limit.
 */
const publishTimeoutMs = 60_000;

/** The NATS JetStream driver. */
export class NatsDriver implements Driver {
  readonly id = 'nats';
  readonly tier: Tier = 'page-cache';
  readonly isChute = false;
  readonly setup =
    'JetStream file-storage stream (work-queue retention; interest retention for fan-out), durable pull consumers, explicit acks; default sync (server 2.9 offers no "sync always")';
  label = 'NATS JetStream';
  /** Queues, streams or exchanges created and not yet deleted, deleted on close if a run stops early. */
  private readonly leftovers = new Leftovers();
  private nc: NatsConnection | null = null;
  private js: JetStreamClient | null = null;
  private jsm: JetStreamManager | null = null;

  async connect(): Promise<void> {
    // Without noAsyncTraces every publish builds an Error for its stack, which costs the client more than the publish.
    this.nc = await connect({ servers: natsServer, name: 'chute-bench', noAsyncTraces: true });
    this.jsm = await this.nc.jetstreamManager();
    this.js = this.nc.jetstream();
    this.label = `NATS JetStream ${this.nc.info?.version ?? ''}`.trim();
  }

  private clients(): { js: JetStreamClient; jsm: JetStreamManager } {
    if (this.js === null || this.jsm === null) throw new Error('NATS driver is not connected');
    return { js: this.js, jsm: this.jsm };
  }

  private async addConsumer(stream: string, durable: string, prefetch: number): Promise<void> {
    await this.clients().jsm.consumers.add(stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_ack_pending: Math.max(prefetch * 2, 1000),
      ack_wait: 60_000_000_000,
    });
  }

  private async startConsumer(stream: string, durable: string, onBody: BodyHandler, options: ConsumeOptions): Promise<ConsumerHandle> {
    // Each consumer gets its own connection, as a separate consumer process would: the server
    // bounds what is pending per connection (64 MiB) and cuts off a connection past it, so ten
    // fan-out consumers of 16 KiB messages must not share one.
    const nc = await connect({ servers: natsServer, name: `chute-bench-${durable}`, noAsyncTraces: true });
    try {
      const consumer = await nc.jetstream().consumers.get(stream, durable);
      const messages = await consumer.consume({
        max_messages: options.prefetch,
        callback: (m) => {
          onBody(m.data);
          m.ack();
        },
      });
      return {
        stop: async () => {
          await messages.close();
          await nc.drain();
        },
      };
    } catch (e) {
      await nc.close();
      throw e;
    }
  }

  async openQueue(name: string): Promise<QueueHandle> {
    const { js, jsm } = this.clients();
    const subject = `bench.${name}`;
    await jsm.streams.add({
      name,
      subjects: [subject],
      storage: StorageType.File,
      retention: RetentionPolicy.Workqueue,
      num_replicas: 1,
    });
    let consumerAdded = false;
    return {
      name,
      publish: async (body) => {
        await js.publish(subject, body, { timeout: publishTimeoutMs });
      },
      consume: async (onBody, options) => {
        // A work-queue stream takes one consumer without a filter; every consumer of the run shares it.
        if (!consumerAdded) await this.addConsumer(name, 'work', options.prefetch);
        consumerAdded = true;
        return this.startConsumer(name, 'work', onBody, options);
      },
      delete: this.leftovers.add(name, () => jsm.streams.delete(name)),
    };
  }

  async openFanout(name: string, queueCount: number): Promise<FanoutHandle> {
    const { js, jsm } = this.clients();
    const subject = `bench.${name}`;
    // Interest retention keeps each message until every consumer (one per "queue") acked it.
    await jsm.streams.add({
      name,
      subjects: [subject],
      storage: StorageType.File,
      retention: RetentionPolicy.Interest,
      num_replicas: 1,
    });
    const durables = Array.from({ length: queueCount }, (_, i) => `q${i}`);
    for (const d of durables) await this.addConsumer(name, d, 1000);
    return {
      name,
      queueCount,
      publish: async (body) => {
        await js.publish(subject, body, { timeout: publishTimeoutMs });
      },
      consume: (index, onBody, options) => this.startConsumer(name, pick(durables, index), onBody, options),
      delete: this.leftovers.add(name, () => jsm.streams.delete(name)),
    };
  }

  brokerPid(): Promise<number | null> {
    return findPid('nats-server.*4222');
  }

  async close(): Promise<void> {
    await this.leftovers.clear();
    await this.nc?.drain().catch(() => undefined);
  }
}
