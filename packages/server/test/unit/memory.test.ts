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

  it('messages received and acked long before their lease would end are not kept on the heap', async () => {
    const dir = tempDir();
    const broker = await openBroker({ dataDir: dir.path });
    try {
      await broker.createQueue('stream');
      const body = Buffer.alloc(64, 1);
      const pass = async (): Promise<void> => {
        for (let i = 0; i < 100; i++) {
          await broker.send('stream', Array.from({ length: 500 }, () => ({ body })));
          const got = await broker.receive('stream', { max: 500, visibilityTimeoutMs: 3_600_000 });
          const acked = await broker.ack('stream', got.map((m) => m.receipt));
          assert.ok(acked.every((r) => r.ok));
        }
      };
      await pass(); // warm up: code, caches and the queue's structures reach their working size
      gc();
      const before = process.memoryUsage().heapUsed;
      await pass();
      gc();
      const grownBytes = process.memoryUsage().heapUsed - before;
      assert.equal((await broker.queueStats('stream')).total, 0);
      // 50,000 more settled messages, each with an hour-long lease deadline: were their index
      // entries kept until then, the heap would hold every one of them (over 5 MiB).
      assert.ok(grownBytes < 1024 * 1024, `heap grew by ${(grownBytes / 1048576).toFixed(2)} MiB`);
    } finally {
      await broker.close();
      dir.remove();
    }
  });
});
