/**
 * Bodies of durable queues live on disk, not on the heap: a backlog larger than memory must work.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openBroker } from '../../src/open-broker.js';
import { tempDir } from '../support/temp.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('memory', () => {
  it('holding 20,000 messages of 16 KiB (320 MiB of bodies) grows the heap by far less than the bodies', async () => {
    const dir = tempDir();
    const broker = await openBroker({ dataDir: dir.path });
    try {
      await broker.createQueue('backlog');
      gc();
      const before = process.memoryUsage().heapUsed;
      const body = Buffer.alloc(16 * 1024, 7);
      for (let i = 0; i < 40; i++) {
        const results = await broker.send('backlog', Array.from({ length: 500 }, () => ({ body })));
        assert.ok(results.every((r) => r.ok));
      }
      gc();
      const grownBytes = process.memoryUsage().heapUsed - before;
      assert.equal((await broker.queueStats('backlog')).total, 20_000);
      // The index costs a few hundred bytes per message; 16 KiB bodies on the heap would be 320 MiB.
      assert.ok(grownBytes < 20_000 * 1024, `heap grew by ${(grownBytes / 1048576).toFixed(1)} MiB`);
      const [m] = await broker.receive('backlog', { max: 1 });
      assert.deepEqual(m?.body, body);
    } finally {
      await broker.close();
      dir.remove();
    }
  });
});
