/**
 * The child process of the crash tests. It opens a broker on a data directory and works as fast
 * as it can, printing one line to stdout for each operation the moment its confirmation arrives:
 *   send MODE: "S <id> <body>" for each confirmed send (until killed)
 *   ack MODE:  receives and acks, "A <id>" for each confirmed ack (until killed)
 * Lines go to a pipe, which Node writes synchronously, so what the parent reads was confirmed.
 */
import { openBroker } from '../../src/open-broker.js';

const [mode, dataDir, queue] = process.argv.slice(2) as [string, string, string];
const broker = await openBroker({ dataDir });
process.stdout.write('READY\n');

const CONCURRENT_BATCHES = 8;
const BATCH = 20;

async function sendLoop(worker: number): Promise<never> {
  for (let n = 0; ; n++) {
    const bodies = Array.from({ length: BATCH }, (_, i) => `w${worker}-n${n}-i${i}`);
    const results = await broker.send(
      queue,
      bodies.map((b) => ({ body: Buffer.from(b) })),
    );
    let out = '';
    results.forEach((r, i) => {
      if (!r.ok) throw r.error;
      out += `S ${r.id} ${bodies[i]}\n`;
    });
    process.stdout.write(out);
  }
}

async function ackLoop(): Promise<never> {
  for (;;) {
    const got = await broker.receive(queue, { max: 50, waitMs: 1000, visibilityTimeoutMs: 60_000 });
    const results = await broker.ack(
      queue,
      got.map((m) => m.receipt),
    );
    let out = '';
    results.forEach((r, i) => {
      if (!r.ok) throw r.error;
      out += `A ${got[i]?.id}\n`;
    });
    process.stdout.write(out);
  }
}

if (mode === 'send') await Promise.all(Array.from({ length: CONCURRENT_BATCHES }, (_, w) => sendLoop(w)));
else await Promise.all([ackLoop(), ackLoop()]);
