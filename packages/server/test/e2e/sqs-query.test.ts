/**
 * The SQS conformance suite over the Query protocol (form-encoded requests, XML responses): the AWS
 * command line from Debian 12's `awscli` package, which still speaks Query to SQS, against a real
 * `chute serve`; hand-built signed form requests check the XML shapes of what the CLI cannot reach
 * (message move tasks, queue-URL paths, errors).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../support/server-process.js';
import { admin, queryRequest, queueName, reader, startSqsServer, xmlText } from './sqs-fixture.js';

/** Debian's CLI; another `aws` on the PATH may be a newer one that speaks JSON to SQS. */
const awsCli = '/usr/bin/aws';
const T = { timeout: 120_000 };
let server: RunningServer;

before(async () => {
  server = await startSqsServer();
});
after(async () => {
  await server?.stop();
});

interface CliResult {
  code: number;
  json: Record<string, unknown>;
  stderr: string;
}

/** Runs `aws sqs <args>` against the server, signed as `who`; parses its JSON output. */
function aws(args: string[], who: { accessKeyId: string; secretAccessKey: string } = admin): Promise<CliResult> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    AWS_ACCESS_KEY_ID: who.accessKeyId,
    AWS_SECRET_ACCESS_KEY: who.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_MAX_ATTEMPTS: '1',
    AWS_PAGER: '',
  };
  return new Promise((resolve) => {
    execFile(
      awsCli,
      ['sqs', ...args, '--endpoint-url', server.url, '--output', 'json', '--no-cli-pager'],
      { env, timeout: 45_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, json: stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>), stderr });
      },
    );
  });
}

/** Runs a CLI command that must succeed and returns its JSON output. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CLI output is untyped JSON, checked field by field below.
async function ok(args: string[]): Promise<Record<string, any>> {
  const r = await aws(args);
  assert.equal(r.code, 0, `aws sqs ${args.join(' ')} failed: ${r.stderr}`);
  return r.json;
}

async function createQueue(prefix: string, attributes?: Record<string, string>): Promise<string> {
  const args = ['create-queue', '--queue-name', queueName(prefix)];
  if (attributes !== undefined) args.push('--attributes', JSON.stringify(attributes));
  const out = await ok(args);
  return out.QueueUrl as string;
}

// Each CLI run spends most of its time starting Python; the cases use their own queues and run side by side.
// Without the package these cases fail rather than skip: a skipped case would read as a pass.
describe('AWS CLI (Query protocol)', { concurrency: 2 }, () => {
  test('the CLI really speaks the Query protocol to SQS', T, () => {
    assert.ok(fs.existsSync(awsCli), `${awsCli} is not installed: apt-get install awscli (.ci/run does)`);
    const model = fs.readFileSync('/usr/lib/python3/dist-packages/awscli/botocore/data/sqs/2012-11-05/service-2.json', 'utf8');
    assert.equal((JSON.parse(model) as { metadata: { protocol: string } }).metadata.protocol, 'query');
  });

  test('create-queue with attributes and tags, get-queue-url, list-queues by prefix, get-queue-attributes', T, async () => {
    const name = queueName('cli');
    const created = await ok(['create-queue', '--queue-name', name, '--attributes', '{"VisibilityTimeout":"40","DelaySeconds":"1"}', '--tags', '{"team":"core"}']);
    assert.equal(created.QueueUrl, `${server.url}/000000000000/${name}`);
    assert.equal((await ok(['get-queue-url', '--queue-name', name])).QueueUrl, created.QueueUrl);
    assert.deepEqual((await ok(['list-queues', '--queue-name-prefix', name])).QueueUrls, [created.QueueUrl]);
    const attrs = (await ok(['get-queue-attributes', '--queue-url', created.QueueUrl, '--attribute-names', 'All'])).Attributes;
    assert.equal(attrs.VisibilityTimeout, '40');
    assert.equal(attrs.DelaySeconds, '1');
    assert.equal(attrs.QueueArn, `arn:aws:sqs:us-east-1:000000000000:${name}`);
    assert.equal(attrs.ApproximateNumberOfMessages, '0');
    assert.deepEqual((await ok(['list-queue-tags', '--queue-url', created.QueueUrl])).Tags, { team: 'core' });
  });

  test('send-message with String, Number.float and Binary attributes; receive-message returns them with the SQS digests', T, async () => {
    const url = await createQueue('cli-msg');
    const attributes = {
      attribName1: { DataType: 'String', StringValue: 'attribValue 1' },
      customNumberTypeAttrib: { DataType: 'Number.float', StringValue: '4563442423554324324264524243.32543234' },
      binaryAttribute: { DataType: 'Binary', BinaryValue: Buffer.from('Hello binary world!').toString('base64') },
    };
    const sent = await ok(['send-message', '--queue-url', url, '--message-body', 'hello <xml> & "quotes"', '--message-attributes', JSON.stringify(attributes)]);
    assert.equal(sent.MD5OfMessageAttributes, 'c932db14a896c663f83c260297d594ff');
    assert.equal(sent.MD5OfMessageBody, crypto.createHash('md5').update('hello <xml> & "quotes"', 'utf8').digest('hex'));
    const got = await ok(['receive-message', '--queue-url', url, '--attribute-names', 'All', '--message-attribute-names', 'All', '--wait-time-seconds', '1']);
    const m = got.Messages[0];
    assert.equal(m.Body, 'hello <xml> & "quotes"');
    assert.equal(m.MessageId, sent.MessageId);
    assert.equal(m.MD5OfMessageAttributes, 'c932db14a896c663f83c260297d594ff');
    assert.deepEqual(m.MessageAttributes.customNumberTypeAttrib, { DataType: 'Number.float', StringValue: '4563442423554324324264524243.32543234' });
    assert.equal(Buffer.from(m.MessageAttributes.binaryAttribute.BinaryValue as string, 'base64').toString(), 'Hello binary world!');
    assert.equal(m.Attributes.ApproximateReceiveCount, '1');
    await ok(['change-message-visibility', '--queue-url', url, '--receipt-handle', m.ReceiptHandle, '--visibility-timeout', '120']);
    await ok(['delete-message', '--queue-url', url, '--receipt-handle', m.ReceiptHandle]);
    const counts = (await ok(['get-queue-attributes', '--queue-url', url, '--attribute-names', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'])).Attributes;
    assert.deepEqual(counts, { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  test('send-message-batch, change-message-visibility-batch and delete-message-batch report each entry', T, async () => {
    const url = await createQueue('cli-batch');
    const entries = [
      { Id: 'a', MessageBody: 'one' },
      { Id: 'b', MessageBody: 'two' },
      { Id: 'bad', MessageBody: 'x', MessageAttributes: { n: { DataType: 'Number', StringValue: 'abc' } } },
    ];
    const sent = await ok(['send-message-batch', '--queue-url', url, '--entries', JSON.stringify(entries)]);
    assert.deepEqual(sent.Successful.map((s: { Id: string }) => s.Id).sort(), ['a', 'b']);
    assert.equal(sent.Failed[0].Id, 'bad');
    assert.equal(sent.Failed[0].Code, 'InvalidParameterValue');
    assert.equal(sent.Failed[0].SenderFault, true);
    const got = await ok(['receive-message', '--queue-url', url, '--max-number-of-messages', '10', '--wait-time-seconds', '1']);
    const receipts: string[] = got.Messages.map((m: { ReceiptHandle: string }) => m.ReceiptHandle);
    const changes = [{ Id: 'c1', ReceiptHandle: receipts[0], VisibilityTimeout: 60 }, { Id: 'c2', ReceiptHandle: 'nonsense', VisibilityTimeout: 60 }];
    const changed = await ok(['change-message-visibility-batch', '--queue-url', url, '--entries', JSON.stringify(changes)]);
    assert.deepEqual(changed.Successful, [{ Id: 'c1' }]);
    assert.equal(changed.Failed[0].Code, 'ReceiptHandleIsInvalid');
    const deletes = receipts.map((r, i) => ({ Id: `d${i}`, ReceiptHandle: r }));
    const deleted = await ok(['delete-message-batch', '--queue-url', url, '--entries', JSON.stringify(deletes)]);
    assert.equal(deleted.Successful.length, receipts.length);
    assert.equal(deleted.Failed, undefined);
  });

  test('batch and receive limits fail with the SQS error codes', T, async () => {
    const url = await createQueue('cli-limits');
    const badId = await aws(['send-message-batch', '--queue-url', url, '--entries', JSON.stringify([{ Id: 'a:b', MessageBody: 'x' }])]);
    assert.notEqual(badId.code, 0);
    assert.match(badId.stderr, /AWS\.SimpleQueueService\.InvalidBatchEntryId/);
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' }));
    assert.match((await aws(['send-message-batch', '--queue-url', url, '--entries', JSON.stringify(eleven)])).stderr, /TooManyEntriesInBatchRequest/);
    const max = await aws(['receive-message', '--queue-url', url, '--max-number-of-messages', '11']);
    assert.match(max.stderr, /InvalidParameterValue/);
    const missing = await aws(['get-queue-url', '--queue-name', queueName('absent')]);
    assert.match(missing.stderr, /AWS\.SimpleQueueService\.NonExistentQueue/);
  });

  test('set-queue-attributes with a RedrivePolicy, list-dead-letter-source-queues, tags, purge and delete', T, async () => {
    const dlq = await createQueue('cli-dlq');
    const dlqArn = (await ok(['get-queue-attributes', '--queue-url', dlq, '--attribute-names', 'QueueArn'])).Attributes.QueueArn;
    const src = await createQueue('cli-src');
    const policy = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 });
    await ok(['set-queue-attributes', '--queue-url', src, '--attributes', JSON.stringify({ RedrivePolicy: policy })]);
    assert.equal((await ok(['get-queue-attributes', '--queue-url', src, '--attribute-names', 'RedrivePolicy'])).Attributes.RedrivePolicy, policy);
    assert.deepEqual((await ok(['list-dead-letter-source-queues', '--queue-url', dlq])).queueUrls, [src]);
    await ok(['tag-queue', '--queue-url', src, '--tags', '{"a":"1","b":"2"}']);
    await ok(['untag-queue', '--queue-url', src, '--tag-keys', 'a']);
    assert.deepEqual((await ok(['list-queue-tags', '--queue-url', src])).Tags, { b: '2' });
    await ok(['send-message', '--queue-url', src, '--message-body', 'x']);
    await ok(['purge-queue', '--queue-url', src]);
    assert.equal((await ok(['get-queue-attributes', '--queue-url', src, '--attribute-names', 'ApproximateNumberOfMessages'])).Attributes.ApproximateNumberOfMessages, '0');
    await ok(['delete-queue', '--queue-url', src]);
    assert.match((await aws(['get-queue-url', '--queue-name', src.split('/').pop()!])).stderr, /NonExistentQueue/);
  });

  test('a credential without the permission gets AccessDenied', T, async () => {
    const url = await createQueue('cli-acl');
    const r = await aws(['send-message', '--queue-url', url, '--message-body', 'x'], reader);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /AccessDenied/);
  });
});

describe('hand-built Query requests', () => {
  test('message move tasks: Start, List and Cancel in the documented XML shapes', T, async () => {
    const dlq = queueName('q-dlq');
    const src = queueName('q-src');
    assert.equal((await queryRequest(server.url, { Action: 'CreateQueue', QueueName: dlq })).status, 200);
    const dlqArn = `arn:aws:sqs:us-east-1:000000000000:${dlq}`;
    const created = await queryRequest(server.url, {
      Action: 'CreateQueue',
      QueueName: src,
      'Attribute.1.Name': 'RedrivePolicy',
      'Attribute.1.Value': JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }),
    });
    assert.match(created.body, /<CreateQueueResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><CreateQueueResult><QueueUrl>[^<]+<\/QueueUrl><\/CreateQueueResult><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/CreateQueueResponse>/);
    const srcUrl = xmlText(created.body, 'QueueUrl')!;
    for (let i = 0; i < 3; i++) await queryRequest(server.url, { Action: 'SendMessage', QueueUrl: srcUrl, MessageBody: `m${i}` });
    for (let i = 0; i < 3; i++) {
      await queryRequest(server.url, { Action: 'ReceiveMessage', QueueUrl: srcUrl, MaxNumberOfMessages: '10', VisibilityTimeout: '0', WaitTimeSeconds: '0' });
    }
    const started = await queryRequest(server.url, { Action: 'StartMessageMoveTask', SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: '1' });
    assert.equal(started.status, 200, started.body);
    assert.match(started.body, /<StartMessageMoveTaskResponse[^>]*><StartMessageMoveTaskResult><TaskHandle>[^<]+<\/TaskHandle><\/StartMessageMoveTaskResult>/);
    const handle = xmlText(started.body, 'TaskHandle')!;
    const listed = await queryRequest(server.url, { Action: 'ListMessageMoveTasks', SourceArn: dlqArn, MaxResults: '10' });
    assert.match(listed.body, /<ListMessageMoveTasksResult><ListMessageMoveTasksResultEntry>/);
    assert.equal(xmlText(listed.body, 'Status'), 'RUNNING');
    assert.equal(xmlText(listed.body, 'SourceArn'), dlqArn);
    assert.equal(xmlText(listed.body, 'ApproximateNumberOfMessagesToMove'), '3');
    assert.equal(xmlText(listed.body, 'MaxNumberOfMessagesPerSecond'), '1');
    const cancelled = await queryRequest(server.url, { Action: 'CancelMessageMoveTask', TaskHandle: handle });
    assert.match(cancelled.body, /<CancelMessageMoveTaskResult><ApproximateNumberOfMessagesMoved>\d+<\/ApproximateNumberOfMessagesMoved><\/CancelMessageMoveTaskResult>/);
    const unknown = await queryRequest(server.url, { Action: 'CancelMessageMoveTask', TaskHandle: 'bm90LWEtdGFzaw==' });
    assert.equal(unknown.status, 404);
    assert.equal(xmlText(unknown.body, 'Code'), 'ResourceNotFoundException');
  });

  test('a request posted to the queue URL needs no QueueUrl parameter', T, async () => {
    const name = queueName('q-path');
    await queryRequest(server.url, { Action: 'CreateQueue', QueueName: name });
    const sent = await queryRequest(server.url, { Action: 'SendMessage', MessageBody: 'via path' }, { path: `/000000000000/${name}` });
    assert.equal(sent.status, 200, sent.body);
    assert.match(sent.body, /<SendMessageResult><MD5OfMessageBody>[0-9a-f]{32}<\/MD5OfMessageBody><MessageId>[^<]+<\/MessageId><\/SendMessageResult>/);
    const got = await queryRequest(server.url, { Action: 'ReceiveMessage', 'AttributeName.1': 'SentTimestamp', WaitTimeSeconds: '1' }, { path: `/000000000000/${name}` });
    assert.match(got.body, /<ReceiveMessageResult><Message><MessageId>[^<]+<\/MessageId><ReceiptHandle>[^<]+<\/ReceiptHandle><MD5OfBody>[0-9a-f]{32}<\/MD5OfBody><Body>via path<\/Body><Attribute><Name>SentTimestamp<\/Name><Value>\d+<\/Value><\/Attribute><\/Message><\/ReceiveMessageResult>/);
    const empty = await queryRequest(server.url, { Action: 'ReceiveMessage', WaitTimeSeconds: '0' }, { path: `/000000000000/${name}` });
    assert.match(empty.body, /<ReceiveMessageResponse[^>]*><ReceiveMessageResult><\/ReceiveMessageResult>/);
  });

  test('errors come back as ErrorResponse XML with the SQS code; unsigned requests are refused', T, async () => {
    const missing = await queryRequest(server.url, { Action: 'GetQueueUrl', QueueName: queueName('nothing') });
    assert.equal(missing.status, 400);
    assert.match(
      missing.body,
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<ErrorResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><Error><Type>Sender<\/Type><Code>AWS.SimpleQueueService.NonExistentQueue<\/Code><Message>[^<]+<\/Message><Detail><\/Detail><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
    );
    const unsigned = await queryRequest(server.url, { Action: 'ListQueues' }, { who: null });
    assert.equal(unsigned.status, 403);
    assert.equal(xmlText(unsigned.body, 'Code'), 'MissingAuthenticationToken');
    const badAction = await queryRequest(server.url, { Action: 'AddPermission' });
    assert.equal(xmlText(badAction.body, 'Code'), 'InvalidAction');
  });
});
