/**
 * The chutemq package: the broker core, its embedded backend and the server.
 */
export * from './core/types.js';
export * from './core/errors.js';
export * from './core/limits.js';
export type { BrokerApi } from './core/broker-api.js';
export { type Clock, type TimerHandle, systemClock, ManualClock } from './core/clock.js';
