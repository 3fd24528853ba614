/**
 * `chute queue ...` and the CLI's error handling, against a real `chute serve` process.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { startServer, type RunningServer } from '../support/server-process.js';
import { runCli } from './cli-support.js';

let server: RunningServer;
const name = (): string => `cli-q-${randomUUID().slice(0, 8)}`;
/** `chute --url <server> ARGS`. */
const chute = (args: string[], input?: string): ReturnType<typeof runCli> =>
  runCli(['--url', server.url, ...args], input === undefined ? {} : { input });

before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

test('queue create with every option, shown as a table and as JSON', { timeout: 120_000 }, async () => {
  const dlq = name();
  const q = name();
  assert.equal((await chute(['queue', 'create', dlq])).code, 0);
  const created = await chute(['queue', 'create', q, '--max-deliveries', '3', '--dead-letter', dlq, '--visibility', '45s', '--delay', '500ms', '--max-length', '10']);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, new RegExp(`queue\\s+${q}`));
  assert.match(created.stdout, /visibility\s+45s/);
  assert.match(created.stdout, /delay\s+500ms/);
  assert.match(created.stdout, new RegExp(`dead-letter queue\\s+${dlq}`));

  const fifo = await chute(['--json', 'queue', 'create', name(), '--fifo']);
  assert.equal(fifo.code, 0, fifo.stderr);
  assert.equal(JSON.parse(fifo.stdout).config.fifo, true);

  const json = await chute(['queue', 'create', q, '--max-deliveries', '3', '--dead-letter', dlq, '--visibility', '45s', '--delay', '500ms', '--max-length', '10', '--json']);
  assert.equal(json.code, 0, 'creating again with the same settings is fine');
  const info = JSON.parse(json.stdout);
  assert.deepEqual(
    [info.config.maxDeliveries, info.config.deadLetterQueue, info.config.visibilityTimeoutMs, info.config.delayMs, info.config.maxLength],
    [3, dlq, 45_000, 500, 10],
  );
});

test('queue list, stats, purge and delete', { timeout: 120_000 }, async () => {
  const q = name();
  await chute(['queue', 'create', q]);
  await chute(['send', q, 'one']);
  await chute(['send', q, 'two']);

  const list = await chute(['queue', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^NAME\s+TYPE\s+READY\s+LEASED\s+SCHEDULED\s+DEAD-LETTER/);
  assert.match(list.stdout, new RegExp(`${q}\\s+standard\\s+2\\s+0\\s+0\\s+-`));
  const listJson = await chute(['queue', 'list', '--json', '--prefix', q]);
  assert.deepEqual(JSON.parse(listJson.stdout).map((x: { name: string }) => x.name), [q]);

  const stats = await chute(['queue', 'stats', q]);
  assert.equal(stats.code, 0, stats.stderr);
  assert.match(stats.stdout, /ready\s+2/);
  assert.match(stats.stdout, /dropped\s+0/);
  assert.match(stats.stdout, /sent to dead letters\s+0/);
  const statsJson = JSON.parse((await chute(['queue', 'stats', q, '--json'])).stdout);
  assert.equal(statsJson.ready, 2);
  assert.equal(statsJson.totals.sent, 2);

  const purge = await chute(['queue', 'purge', q]);
  assert.equal(purge.code, 0);
  assert.match(purge.stdout, new RegExp(`purged 2 messages from ${q}`));
  assert.deepEqual(JSON.parse((await chute(['queue', 'purge', q, '--json'])).stdout), { purged: 0 });

  const del = await chute(['queue', 'delete', q]);
  assert.equal(del.code, 0);
  assert.match(del.stdout, new RegExp(`deleted queue ${q}`));
  const gone = await chute(['queue', 'stats', q]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /QueueNotFound/);
});

test('the broker error is printed with its code, message and field; exit code 1', { timeout: 120_000 }, async () => {
  const q = name();
  const r = await chute(['queue', 'create', q, '--visibility', '13h']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^chute: InvalidArgument: .+\(field: [^)]*visibilityTimeoutMs[^)]*\)/m);
  const j = await chute(['queue', 'create', q, '--visibility', '13h', '--json']);
  assert.equal(j.code, 1);
  const err = JSON.parse(j.stderr).error;
  assert.equal(err.code, 'InvalidArgument');
  assert.equal(err.status, 400);
  assert.match(err.field, /visibilityTimeoutMs/);
  assert.equal(j.stdout, '');
});

test('command-line mistakes exit with code 2 and touch nothing', { timeout: 120_000 }, async () => {
  const q = name();
  for (const args of [
    ['queue', 'create', q, '--visibility', 'soon'],
    ['queue', 'create', q, '--max-deliveries', '3'],
    ['queue', 'create', q, '--max-length', '-4'],
    ['queue', 'create'],
    ['queue', 'frobnicate', q],
    ['send', q, 'x', '--priority', 'high'],
    ['receive', q, '--max', '0'],
  ]) {
    const r = await chute(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.length > 0, `${args.join(' ')} explains itself`);
  }
  assert.equal((await chute(['queue', 'stats', q])).code, 1, 'the queue was never created');
  for (const url of ['notaurl', 'ftp://127.0.0.1:7070']) {
    const r = await runCli(['--url', url, 'queue', 'list']);
    assert.equal(r.code, 2, `--url ${url}: ${r.stderr}`);
    assert.match(r.stderr, /--url/);
  }
});

test('an unreachable broker exits with code 3 and says where it tried', { timeout: 120_000 }, async () => {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const r = await runCli(['queue', 'list'], { env: { CHUTE_URL: `http://127.0.0.1:${port}` } });
  assert.equal(r.code, 3);
  assert.match(r.stderr, new RegExp(`ConnectionError: cannot reach the broker at http://127.0.0.1:${port}.*ECONNREFUSED`));
});
