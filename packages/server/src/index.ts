/**
 * The chutemq package: the broker core, its embedded backend and the server.
 */
export * from './core/types.js';
export * from './core/errors.js';
export * from './core/limits.js';
export type { BrokerApi } from './core/broker-api.js';
export { type Clock, type TimerHandle, systemClock, ManualClock } from './core/clock.js';
export { Broker } from './core/broker.js';
export type { BrokerEvent, BrokerEventListener } from './core/events.js';
export type { Backend, StorageStats, NormalizedSend, NormalizedReceive } from './core/backend.js';
export { openBroker, type OpenBrokerOptions } from './open-broker.js';
