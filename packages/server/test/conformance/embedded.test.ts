/**
 * Runs the conformance suite against the embedded backend, for durable and for memory-only queues.
 */
import { openBroker } from '../../src/open-broker.js';
import { ManualClock } from '../../src/core/clock.js';
import type { BrokerApi } from '../../src/core/broker-api.js';
import { tempDir } from '../support/temp.js';
import { defineConformanceSuite, type SuiteHarness } from './suite.js';

async function embedded(): Promise<SuiteHarness> {
  const dir = tempDir();
  const clock = new ManualClock();
  let broker: BrokerApi = await openBroker({ dataDir: dir.path, clock });
  return {
    get broker() {
      return broker;
    },
    clock,
    async restart() {
      await broker.close();
      broker = await openBroker({ dataDir: dir.path, clock });
      return broker;
    },
    async cleanup() {
      await broker.close();
      dir.remove();
    },
  };
}

defineConformanceSuite('embedded backend, durable queues', embedded);
defineConformanceSuite('embedded backend, memory-only queues', embedded, { queueDefaults: { durable: false } });
