/**
 * RabbitMQ through amqplib: durable classic queues, persistent messages, publisher confirms,
 * manual acks and prefetch. RabbitMQ confirms a persistent message routed to a durable queue only
 * once it is written and fsync'd, so it belongs to the fsync tier. The server is a shared machine
 * service: the harness never kills it.
 */
import amqp from 'amqplib';
import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import { findPid } from '../proc.js';
import { Leftovers } from './leftovers.js';
import { pick } from './pick.js';
import type { BodyHandler, ConsumeOptions, ConsumerHandle, Driver, FanoutHandle, QueueHandle, Tier } from '../types.js';

/** Where the shared RabbitMQ listens. */
export const rabbitUrl = 'amqp://guest:guest@127.0.0.1:5672';

function toBuffer(body: Uint8Array): Buffer {
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** The RabbitMQ driver. */
export class RabbitDriver implements Driver {
  readonly id = 'rabbitmq';
  readonly tier: Tier = 'fsync';
  readonly isChute = false;
  readonly setup = 'durable classic queue, persistent messages, publisher confirms, manual acks, prefetch';
  label = 'RabbitMQ';
  /** Queues, streams or exchanges created and not yet deleted, deleted on close if a run stops early. */
  private readonly leftovers = new Leftovers();
  private publisherConn: ChannelModel | null = null;
  private consumerConn: ChannelModel | null = null;
  private confirm: ConfirmChannel | null = null;

  async connect(): Promise<void> {
    // Producer and consumers get their own connections, as separate client processes would.
    this.publisherConn = await amqp.connect(rabbitUrl);
    this.consumerConn = await amqp.connect(rabbitUrl);
    this.confirm = await this.publisherConn.createConfirmChannel();
    const version = this.publisherConn.connection.serverProperties.version;
    this.label = `RabbitMQ ${version}`;
  }

  private channel(): ConfirmChannel {
    if (this.confirm === null) throw new Error('RabbitMQ driver is not connected');
    return this.confirm;
  }

  private async startConsumer(queue: string, onBody: BodyHandler, options: ConsumeOptions): Promise<ConsumerHandle> {
    if (this.consumerConn === null) throw new Error('RabbitMQ driver is not connected');
    const ch: Channel = await this.consumerConn.createChannel();
    await ch.prefetch(options.prefetch);
    const { consumerTag } = await ch.consume(
      queue,
      (msg) => {
        if (msg === null) return;
        onBody(msg.content);
        ch.ack(msg);
      },
      { noAck: false },
    );
    return {
      stop: async () => {
        await ch.cancel(consumerTag);
        await ch.close();
      },
    };
  }

  async openQueue(name: string): Promise<QueueHandle> {
    const ch = this.channel();
    await ch.assertQueue(name, { durable: true, arguments: { 'x-queue-type': 'classic' } });
    return {
      name,
      publish: (body) =>
        new Promise<void>((resolve, reject) => {
          ch.sendToQueue(name, toBuffer(body), { persistent: true }, (err) => (err ? reject(err) : resolve()));
        }),
      consume: (onBody, options) => this.startConsumer(name, onBody, options),
      delete: this.leftovers.add(name, () => ch.deleteQueue(name)),
    };
  }

  async openFanout(name: string, queueCount: number): Promise<FanoutHandle> {
    const ch = this.channel();
    await ch.assertExchange(name, 'fanout', { durable: true, autoDelete: false });
    const queues = Array.from({ length: queueCount }, (_, i) => `${name}.q${i}`);
    for (const q of queues) {
      await ch.assertQueue(q, { durable: true, arguments: { 'x-queue-type': 'classic' } });
      await ch.bindQueue(q, name, '');
    }
    return {
      name,
      queueCount,
      publish: (body) =>
        new Promise<void>((resolve, reject) => {
          ch.publish(name, '', toBuffer(body), { persistent: true }, (err) => (err ? reject(err) : resolve()));
        }),
      consume: (index, onBody, options) => this.startConsumer(pick(queues, index), onBody, options),
      delete: this.leftovers.add(name, async () => {
        for (const q of queues) await ch.deleteQueue(q);
        await ch.deleteExchange(name);
      }),
    };
  }

  brokerPid(): Promise<number | null> {
    return findPid('beam.smp.*rabbit');
  }

  async close(): Promise<void> {
    await this.leftovers.clear();
    await this.confirm?.close().catch(() => undefined);
    await this.publisherConn?.close().catch(() => undefined);
    await this.consumerConn?.close().catch(() => undefined);
  }
}
