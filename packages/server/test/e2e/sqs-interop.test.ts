/**
 * One broker, three ways in: a message sent through the SQS API is received through the native
 * HTTP API and the `chute` command line, and the other way round, with attributes and headers
 * mapped as docs/sqs.md describes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { md5OfMessageAttributes } from '../../src/protocols/sqs/md5.js';
import { cliCommand, repoRoot, type RunningServer } from '../support/server-process.js';
import { admin, queueName, sqsClient, startSqsServer } from './sqs-fixture.js';

const T = { timeout: 60_000 };
let server: RunningServer;
let sqs: SQSClient;

before(async () => {
  server = await startSqsServer();
  sqs = sqsClient(server.url);
});
after(async () => {
  sqs?.destroy();
  await server?.stop();
});

interface NativeMessage {
  body: string;
  bodyEncoding: string;
  headers: Record<string, string | number | { base64: string }>;
  receipt: string;
  deliveryCount: number;
}

async function native(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.url}/v1${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.secretAccessKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  assert.ok(res.ok, `native ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

function chute(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const cmd = cliCommand(['--url', server.url, '--token', admin.secretAccessKey, ...args]);
  return new Promise((resolve) => {
    execFile(cmd.command, cmd.args, { cwd: repoRoot, timeout: 45_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

async function createQueue(prefix: string): Promise<{ name: string; url: string }> {
  const name = queueName(prefix);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  return { name, url: QueueUrl! };
}

test('a message sent through SQS is received through the native API with its attributes as headers', T, async () => {
  const q = await createQueue('to-native');
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: q.url,
      MessageBody: 'from sqs',
      MessageAttributes: {
        text: { DataType: 'String', StringValue: 'hello' },
        count: { DataType: 'Number', StringValue: '42' },
        price: { DataType: 'Number.float', StringValue: '1.50' },
        blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 255]) },
      },
    }),
  );
  const { messages } = (await native(`/queues/${q.name}/receive`, { max: 1, waitMs: 2000 })) as { messages: NativeMessage[] };
  assert.equal(messages.length, 1);
  const m = messages[0]!;
  assert.equal(m.body, 'from sqs');
  assert.equal(m.headers.text, 'hello');
  assert.equal(m.headers.count, 42);
  assert.equal(m.headers.price, '1.50', 'a number that would not print back the same stays text');
  assert.deepEqual(m.headers.blob, { base64: Buffer.from([0, 1, 2, 255]).toString('base64') });
  assert.deepEqual(JSON.parse(String(m.headers['x-sqs-data-types'])), { price: 'Number.float' });
  await native(`/queues/${q.name}/ack`, { receipts: [m.receipt] });
});

test('a message sent through the native API is received through SQS with its headers as attributes', T, async () => {
  const q = await createQueue('from-native');
  await native(`/queues/${q.name}/messages`, {
    body: 'from native',
    headers: { kind: 'order', total: 12.5, raw: { base64: Buffer.from('bytes').toString('base64') } },
  });
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'], WaitTimeSeconds: 2 }));
  const m = Messages?.[0];
  assert.ok(m);
  assert.equal(m.Body, 'from native');
  assert.deepEqual(m.MessageAttributes?.kind, { DataType: 'String', StringValue: 'order' });
  assert.deepEqual(m.MessageAttributes?.total, { DataType: 'Number', StringValue: '12.5' });
  assert.equal(m.MessageAttributes?.raw?.DataType, 'Binary');
  assert.equal(Buffer.from(m.MessageAttributes!.raw!.BinaryValue!).toString(), 'bytes');
  const expected = md5OfMessageAttributes({
    kind: { DataType: 'String', StringValue: 'order' },
    total: { DataType: 'Number', StringValue: '12.5' },
    raw: { DataType: 'Binary', BinaryValue: Buffer.from('bytes') },
  });
  assert.equal(m.MD5OfMessageAttributes, expected);
  assert.equal(m.Attributes?.ApproximateReceiveCount, '1');
});

test('the chute command line and SQS see the same queue, both ways', T, async () => {
  const q = await createQueue('cli');
  const sent = await chute(['send', q.name, 'from the cli', '--header', 'origin=cli']);
  assert.equal(sent.code, 0, sent.stderr);
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, MessageAttributeNames: ['All'], WaitTimeSeconds: 2 }));
  assert.equal(Messages?.[0]?.Body, 'from the cli');
  assert.deepEqual(Messages?.[0]?.MessageAttributes?.origin, { DataType: 'String', StringValue: 'cli' });

  const other = await createQueue('cli-back');
  await sqs.send(new SendMessageCommand({ QueueUrl: other.url, MessageBody: 'from sqs to the cli' }));
  const got = await chute(['receive', other.name, '--wait', '2s']);
  assert.equal(got.code, 0, got.stderr);
  assert.equal(got.stdout.trim(), 'from sqs to the cli');
});
