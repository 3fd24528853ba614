import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openBroker } from '../../src/open-broker.js';
import type { BrokerEvent } from '../../src/core/events.js';
import { tempDir } from '../support/temp.js';

describe('lifecycle events', () => {
  it('the broker reports queue and topic lifecycle changes once, whoever asked for them', async () => {
    const dir = tempDir();
    const events: BrokerEvent[] = [];
    const broker = await openBroker({ dataDir: dir.path, onEvent: (e) => events.push(e) });
    try {
      await broker.createQueue('dlq');
      await broker.createQueue('dlq'); // already there: no second event
      await broker.createQueue('work', { maxDeliveries: 1, deadLetterQueue: 'dlq' });
      await broker.updateQueue('work', { delayMs: 10 });
      await broker.createTopic('t');
      await broker.subscribe('t', 'work');
      await broker.unsubscribe('t', 'work');
      await broker.deleteTopic('t');
      await broker.send('dlq', [{ body: Buffer.from('x') }]);
      await broker.redrive('dlq', { to: 'work' });
      await broker.purgeQueue('work');
      await broker.deleteQueue('work');
      assert.deepEqual(events, [
        { type: 'queue.created', queue: 'dlq', fifo: false, durable: true },
        { type: 'queue.created', queue: 'work', fifo: false, durable: true },
        { type: 'queue.updated', queue: 'work' },
        { type: 'topic.created', topic: 't' },
        { type: 'topic.subscribed', topic: 't', queue: 'work' },
        { type: 'topic.unsubscribed', topic: 't', queue: 'work' },
        { type: 'topic.deleted', topic: 't' },
        { type: 'queue.redriven', queue: 'dlq', to: 'work', moved: 1 },
        { type: 'queue.purged', queue: 'work', purged: 1 },
        { type: 'queue.deleted', queue: 'work' },
      ]);
    } finally {
      await broker.close();
      dir.remove();
    }
  });
});
