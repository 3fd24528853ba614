/**
 * Opens a broker on the embedded backend: the one call a server, a test or an embedding
 * application needs.
 */
import { EmbeddedBackend } from './backends/embedded/embedded-backend.js';
import { Broker } from './core/broker.js';
import { systemClock, type Clock } from './core/clock.js';
import type { BrokerEventListener } from './core/events.js';

/** Options of openBroker. */
export interface OpenBrokerOptions {
  /** Directory of the data file; created if missing. */
  dataDir: string;
  /** Time source; the system clock unless a test passes a ManualClock. */
  clock?: Clock;
  /** Receives errors of background work (timer-driven writes) that have no caller to report to. */
  onError?: (error: unknown) => void;
  /** Hears queue and topic lifecycle events (created, updated, deleted, purged, redriven, ...). */
  onEvent?: BrokerEventListener;
}

/** Opens the data directory, rebuilds queue state from it, and returns a ready broker. */
export async function openBroker(options: OpenBrokerOptions): Promise<Broker> {
  const clock = options.clock ?? systemClock;
  const backend = await EmbeddedBackend.open({
    dataDir: options.dataDir,
    clock,
    ...(options.onError ? { onError: options.onError } : {}),
  });
  try {
    return await Broker.create(backend, clock, options.onEvent);
  } catch (e) {
    await backend.close();
    throw e;
  }
}
