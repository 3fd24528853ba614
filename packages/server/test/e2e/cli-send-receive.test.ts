/**
 * `chute send` and `chute receive` against a real `chute serve` process, including two CLI
 * processes exchanging messages.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Chute } from '@chutemq/client';
import { startServer, type RunningServer } from '../support/server-process.js';
import { runCli, spawnCli } from './cli-support.js';

let server: RunningServer;
let sdk: Chute;
const name = (): string => `cli-m-${randomUUID().slice(0, 8)}`;
const chute = (args: string[], input?: string | Buffer): ReturnType<typeof runCli> =>
  runCli(['--url', server.url, ...args], input === undefined ? {} : { input });

before(async () => {
  server = await startServer();
  sdk = new Chute({ url: server.url });
});
after(async () => {
  await sdk?.close();
  await server?.stop();
});

async function newQueue(): Promise<string> {
  const q = name();
  await sdk.queue(q).create();
  return q;
}

test('two processes exchange messages: send in one, receive --follow in the other', { timeout: 120_000 }, async () => {
  const q = await newQueue();
  const follower = spawnCli(['--url', server.url, 'receive', q, '--follow']);
  let out = '';
  let err = '';
  follower.stdout?.on('data', (d: string) => (out += d));
  follower.stderr?.on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => follower.once('close', (c) => resolve(c)));

  for (const body of ['hello from terminal one', 'second message']) {
    const sent = await chute(['send', q, body]);
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stdout, /^\S+\n$/, 'send prints the message id');
  }
  const deadline = Date.now() + 20_000;
  while (out.split('\n').length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(out, 'hello from terminal one\nsecond message\n', err);

  follower.kill('SIGINT');
  assert.equal(await exited, 0, `receive --follow stops cleanly on Ctrl-C: ${err}`);
  const stats = await sdk.queue(q).stats();
  assert.equal(stats.totals.acked, 2, 'printed messages were acked');
  assert.equal(stats.total, 0);
});

test('send --lines streams stdin, one message per line', { timeout: 120_000 }, async () => {
  const q = await newQueue();
  const lines = Array.from({ length: 1_234 }, (_, i) => `line ${i}`);
  const r = await chute(['send', q, '--lines'], `${lines.join('\n')}\n\n`);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `sent 1234 messages to ${q}\n`);
  assert.equal(r.stderr, '', 'no progress line when stderr is not a terminal');
  assert.equal((await sdk.queue(q).stats()).ready, 1_234);
  const firstThree = await sdk.queue(q).peek({ max: 3 });
  assert.deepEqual(firstThree.map((m) => m.text()), ['line 0', 'line 1', 'line 2']);

  const json = await chute(['send', q, '--lines', '--json'], 'a\r\nb\n');
  assert.deepEqual(JSON.parse(json.stdout), { sent: 2, duplicates: 0, failed: 0 });
});

test('send --lines names the first refused line\'s error with its limit, as JSON with --json', { timeout: 120_000 }, async () => {
  const q = await newQueue();
  const big = 'x'.repeat(1024 * 1024 + 1);
  const r = await chute(['send', q, '--lines'], `fits\n${big}\nfits too\n`);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, `sent 2 messages to ${q}, 1 failed\n`);
  assert.match(r.stderr, /^chute: 1 message failed; first error: MessageTooLarge: .* \(field: body, limit: 1048576\)\n$/);

  const json = await chute(['send', q, '--lines', '--json'], `${big}\n`);
  assert.equal(json.code, 1);
  assert.deepEqual(JSON.parse(json.stdout), { sent: 0, duplicates: 0, failed: 1 });
  const line = JSON.parse(json.stderr) as { error: { code: string; field: string; limit: number }; failed: number };
  assert.equal(line.error.code, 'MessageTooLarge');
  assert.equal(line.error.limit, 1_048_576);
  assert.equal(line.failed, 1);
  assert.equal((await sdk.queue(q).stats()).ready, 2, 'the lines that fit were stored');
});

test('receive prints bodies (or whole messages with --json) and acks unless --no-ack', { timeout: 120_000 }, async () => {
  const q = await newQueue();
  await chute(['send', q, 'first', '--header', 'trace=t-1', '--header', 'who=cli', '--priority', '3']);
  await chute(['send', q, 'second']);
  await chute(['send', q, 'third']);

  const one = await chute(['receive', q]);
  assert.equal(one.code, 0, one.stderr);
  assert.equal(one.stdout, 'first\n', 'default: one message');

  const peekOnly = await chute(['receive', q, '--max', '5', '--no-ack', '--visibility', '4s', '--json']);
  assert.equal(peekOnly.code, 0, peekOnly.stderr);
  const msgs = peekOnly.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(msgs.map((m) => m.body), ['second', 'third']);
  assert.equal(msgs[0].bodyEncoding, 'utf8');
  assert.equal(msgs[0].deliveryCount, 1);
  assert.equal(typeof msgs[0].receipt, 'string');
  assert.equal((await sdk.queue(q).stats()).leased, 2, '--no-ack leaves them leased');

  const deadline = Date.now() + 15_000;
  while ((await sdk.queue(q).stats()).ready < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const again = await chute(['receive', q, '--max', '5']);
  assert.equal(again.stdout, 'second\nthird\n', 'handed out again after the lease');
  assert.equal((await sdk.queue(q).stats()).total, 0);

  const empty = await chute(['receive', q, '--wait', '200ms']);
  assert.equal(empty.code, 0);
  assert.equal(empty.stdout, '');
});

test('send options and headers reach the message; stdin without --lines is one message', { timeout: 120_000 }, async () => {
  const q = await newQueue();
  const r = await chute(['send', q, '--header', 'k=v=w', '--priority', '7', '--dedup', 'd-1', '--group', 'g', '--json'], 'multi\nline\n');
  assert.equal(r.code, 0, r.stderr);
  const receipt = JSON.parse(r.stdout);
  assert.equal(receipt.duplicate, false);
  const dup = JSON.parse((await chute(['send', q, 'other', '--dedup', 'd-1', '--json'])).stdout);
  assert.deepEqual([dup.duplicate, dup.id], [true, receipt.id]);
  const [m] = await sdk.queue(q).peek();
  assert.equal(m!.text(), 'multi\nline\n');
  assert.equal(m!.headers.k, 'v=w');
  assert.equal(m!.priority, 7);
  assert.equal(m!.groupId, 'g');
  assert.equal(m!.dedupId, 'd-1');

  const delayed = await chute(['send', q, 'later', '--delay', '5m']);
  assert.equal(delayed.code, 0, delayed.stderr);
  assert.equal((await sdk.queue(q).stats()).scheduled, 1);
});

test('binary stdin round-trips byte for byte', { timeout: 120_000 }, async () => {
  const q = await newQueue();
  const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x0a, 0x41]);
  assert.equal((await chute(['send', q], bytes)).code, 0);
  const [m] = await sdk.queue(q).peek();
  assert.deepEqual(m!.body, bytes);
  const printed = await chute(['receive', q]);
  assert.equal(printed.stdout, `${bytes.toString('base64')}\n`, 'binary bodies print as base64');
});

test('send and receive on a missing queue: error code and exit code 1', { timeout: 120_000 }, async () => {
  const q = name();
  for (const args of [['send', q, 'x'], ['receive', q], ['send', q, '--lines']]) {
    const r = await chute(args, 'x\n');
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /QueueNotFound/);
  }
  const bad = await chute(['send', q, 'x', '--lines']);
  assert.equal(bad.code, 2, '--lines with a BODY is a usage error');
});

test('receive --follow outlives a broker restart (kill -9) and goes on printing', { timeout: 180_000 }, async () => {
  const own = await startServer();
  const port = String(own.port);
  const dataDir = own.dataDir;
  const url = own.url;
  const q = name();
  const client = new Chute({ url });
  await client.queue(q).create();
  const follower = spawnCli(['--url', url, 'receive', q, '--follow']);
  let out = '';
  let err = '';
  follower.stdout?.on('data', (d: string) => (out += d));
  follower.stderr?.on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => follower.once('close', (c) => resolve(c)));
  const waitFor = async (text: string): Promise<void> => {
    const deadline = Date.now() + 60_000;
    while (!out.includes(text) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(out.includes(text), `never printed ${text}: ${err}`);
  };
  await client.queue(q).send('before the crash');
  await waitFor('before the crash');
  await own.kill();
  const again = await startServer({ dataDir, args: ['--port', port] });
  try {
    await new Chute({ url }).queue(q).send('after the restart');
    await waitFor('after the restart');
    // The outage is reported: by the poll that failed, or, when the broker was back before the
    // next poll, by the ack of the message printed before the crash.
    assert.match(err, /polling again|ack failed: .* will be delivered again/);
    follower.kill('SIGINT');
    assert.equal(await exited, 0, err);
  } finally {
    follower.kill('SIGKILL');
    await again.stop();
    await client.close();
  }
});
