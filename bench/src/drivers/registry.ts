/**
 * Builds the drivers a run asks for: Chute's (durable and memory tier) first, then the peers.
 */
import type { BenchOptions, PeerId } from '../args.js';
import type { Driver } from '../types.js';
import { BullmqDriver } from './bullmq.js';
import { ChuteDriver } from './chute.js';
import { NatsDriver } from './nats.js';
import { RabbitDriver } from './rabbitmq.js';

const peerFactories: Record<PeerId, () => Driver> = {
  rabbitmq: () => new RabbitDriver(),
  nats: () => new NatsDriver(),
  bullmq: () => new BullmqDriver(),
};

/** Drivers for one run; `workDir` holds the data directories of the brokers the harness starts. */
export function buildDrivers(options: BenchOptions, workDir: string): Driver[] {
  const drivers: Driver[] = [];
  if (options.chute) {
    drivers.push(new ChuteDriver({ durable: true, workDir, from: options.chuteFrom }));
    drivers.push(new ChuteDriver({ durable: false, workDir, from: options.chuteFrom }));
  }
  for (const peer of options.peers) drivers.push(peerFactories[peer]());
  return drivers;
}
