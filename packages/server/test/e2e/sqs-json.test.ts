/**
 * The SQS conformance suite over AWS JSON 1.0: the official `@aws-sdk/client-sqs` (checksum
 * validation on) against a real `chute serve` process, every request signed with SigV4.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  CancelMessageMoveTaskCommand,
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ListQueueTagsCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  StartMessageMoveTaskCommand,
  TagQueueCommand,
  UntagQueueCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { RunningServer } from '../support/server-process.js';
import { admin, queueName, reader, sdkError, sqsClient, startSqsServer } from './sqs-fixture.js';

const T = { timeout: 30_000 };
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

async function createQueue(prefix: string, attributes: Record<string, string> = {}, fifo = false): Promise<string> {
  const name = queueName(prefix, fifo);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: fifo ? { FifoQueue: 'true', ...attributes } : attributes }));
  assert.ok(QueueUrl);
  return QueueUrl;
}

async function attributes(QueueUrl: string, names: string[] = ['All']): Promise<Record<string, string>> {
  return (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: names as never }))).Attributes ?? {};
}

function arnOf(attrs: Record<string, string>): string {
  assert.ok(attrs.QueueArn);
  return attrs.QueueArn;
}

describe('queues', () => {
  test('CreateQueue, GetQueueUrl and DeleteQueue; the URL is built from the Host header', T, async () => {
    const name = queueName('life');
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    assert.equal(QueueUrl, `${server.url}/000000000000/${name}`);
    assert.equal((await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl, QueueUrl);
    const viaLocalhost = sqsClient(`http://localhost:${server.port}`);
    assert.equal((await viaLocalhost.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl, `http://localhost:${server.port}/000000000000/${name}`);
    viaLocalhost.destroy();
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    const err = await sdkError(sqs.send(new GetQueueUrlCommand({ QueueName: name })));
    assert.equal(err.name, 'QueueDoesNotExist');
    assert.equal(err.Code, 'AWS.SimpleQueueService.NonExistentQueue');
    assert.equal(err.$metadata?.httpStatusCode, 400);
  });

  test('CreateQueue again with the same attributes returns the URL; with other values it is QueueNameExists', T, async () => {
    const name = queueName('again');
    const first = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '40' } }));
    const second = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '40' } }));
    assert.equal(second.QueueUrl, first.QueueUrl);
    const err = await sdkError(sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '41' } })));
    assert.equal(err.name, 'QueueNameExists');
    assert.equal(err.Code, 'QueueAlreadyExists');
  });

  test('queue names: invalid characters, and .fifo exactly for FIFO queues', T, async () => {
    assert.equal((await sdkError(sqs.send(new CreateQueueCommand({ QueueName: 'bad name' })))).name, 'InvalidParameterValue');
    assert.equal((await sdkError(sqs.send(new CreateQueueCommand({ QueueName: queueName('f', true) })))).name, 'InvalidParameterValue');
    assert.equal(
      (await sdkError(sqs.send(new CreateQueueCommand({ QueueName: queueName('f'), Attributes: { FifoQueue: 'true' } })))).name,
      'InvalidParameterValue',
    );
  });

  test('ListQueues with a prefix and paging (MaxResults, NextToken)', T, async () => {
    const prefix = queueName('page');
    const names = ['a', 'b', 'c', 'd', 'e'].map((s) => `${prefix}-${s}`);
    for (const n of names) await sqs.send(new CreateQueueCommand({ QueueName: n }));
    const all = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }));
    assert.deepEqual(all.QueueUrls, names.map((n) => `${server.url}/000000000000/${n}`));
    assert.equal(all.NextToken, undefined);
    const seen: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2, ...(NextToken && { NextToken }) }));
      assert.ok((page.QueueUrls ?? []).length <= 2);
      seen.push(...(page.QueueUrls ?? []));
      NextToken = page.NextToken;
      pages++;
    } while (NextToken !== undefined && pages < 10);
    assert.equal(pages, 3);
    assert.deepEqual(seen, all.QueueUrls);
  });

  test('GetQueueAttributes reports settings, counts, ARN and timestamps; SetQueueAttributes changes them', T, async () => {
    const QueueUrl = await createQueue('attrs', { VisibilityTimeout: '45', MessageRetentionPeriod: '3600', MaximumMessageSize: '2048' });
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'ready' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'delayed', DelaySeconds: 60 }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'leased' }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 0 }));
    const a = await attributes(QueueUrl);
    const name = QueueUrl.split('/').pop();
    assert.equal(a.QueueArn, `arn:aws:sqs:us-east-1:000000000000:${name}`);
    assert.equal(a.VisibilityTimeout, '45');
    assert.equal(a.MessageRetentionPeriod, '3600');
    assert.equal(a.MaximumMessageSize, '2048');
    assert.equal(a.DelaySeconds, '0');
    assert.equal(a.ReceiveMessageWaitTimeSeconds, '0');
    assert.equal(a.ApproximateNumberOfMessages, '1');
    assert.equal(a.ApproximateNumberOfMessagesNotVisible, '1');
    assert.equal(a.ApproximateNumberOfMessagesDelayed, '1');
    assert.ok(Math.abs(Number(a.CreatedTimestamp) - Date.now() / 1000) < 60);
    assert.equal(a.FifoQueue, undefined);

    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { DelaySeconds: '5', ReceiveMessageWaitTimeSeconds: '2', Policy: '{"Version":"2012-10-17"}' } }));
    assert.deepEqual(await attributes(QueueUrl, ['DelaySeconds', 'ReceiveMessageWaitTimeSeconds', 'Policy']), {
      DelaySeconds: '5',
      ReceiveMessageWaitTimeSeconds: '2',
      Policy: '{"Version":"2012-10-17"}',
    });
    assert.equal((await sdkError(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '43201' } })))).name, 'InvalidAttributeValue');
    assert.equal((await sdkError(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Colour: 'blue' } as never })))).name, 'InvalidAttributeName');
  });

  test('PurgeQueue removes every message', T, async () => {
    const QueueUrl = await createQueue('purge');
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [1, 2, 3].map((i) => ({ Id: `m${i}`, MessageBody: `b${i}` })) }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl }));
    assert.equal((await attributes(QueueUrl, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '0');
  });

  test('TagQueue, ListQueueTags and UntagQueue; tags given at creation', T, async () => {
    const name = queueName('tags');
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, tags: { team: 'core' } }));
    await sqs.send(new TagQueueCommand({ QueueUrl, Tags: { env: 'test', tier: 'gold' } }));
    assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, { team: 'core', env: 'test', tier: 'gold' });
    await sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ['tier', 'absent'] }));
    assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, { team: 'core', env: 'test' });
  });
});

describe('messages', () => {
  test('SendMessage, ReceiveMessage with system attributes, DeleteMessage', T, async () => {
    const QueueUrl = await createQueue('basic');
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello ✓' }));
    assert.equal(sent.MD5OfMessageBody, crypto.createHash('md5').update('hello ✓', 'utf8').digest('hex'));
    const before = Date.now();
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ['All'], WaitTimeSeconds: 1 }));
    assert.equal(Messages?.length, 1);
    const m = Messages![0]!;
    assert.equal(m.Body, 'hello ✓');
    assert.equal(m.MessageId, sent.MessageId);
    assert.equal(m.Attributes?.ApproximateReceiveCount, '1');
    assert.equal(m.Attributes?.SenderId, admin.name);
    assert.ok(Number(m.Attributes?.SentTimestamp) <= before + 1000);
    assert.ok(Number(m.Attributes?.ApproximateFirstReceiveTimestamp) >= Number(m.Attributes?.SentTimestamp));
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
    // Deleting again with the same receipt succeeds, as on Amazon SQS.
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
    const counts = await attributes(QueueUrl, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
    assert.deepEqual(counts, { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
    assert.equal((await sdkError(sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: 'garbage' })))).name, 'ReceiptHandleIsInvalid');
  });

  test('MD5OfMessageAttributes of a custom Number type, a String and a Binary attribute is the digest SQS computes', T, async () => {
    const QueueUrl = await createQueue('md5');
    const MessageAttributes = {
      attribName1: { DataType: 'String', StringValue: 'attribValue 1' },
      customNumberTypeAttrib: { DataType: 'Number.float', StringValue: '4563442423554324324264524243.32543234' },
      binaryAttribute: { DataType: 'Binary', BinaryValue: Buffer.from('Hello binary world!') },
    };
    const expected = 'c932db14a896c663f83c260297d594ff';
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageAttributes }));
    assert.equal(sent.MD5OfMessageAttributes, expected);
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'], WaitTimeSeconds: 1 }));
    const m = Messages![0]!;
    assert.equal(m.MD5OfMessageAttributes, expected);
    assert.deepEqual(m.MessageAttributes?.customNumberTypeAttrib, { DataType: 'Number.float', StringValue: '4563442423554324324264524243.32543234' });
    assert.equal(Buffer.from(m.MessageAttributes!.binaryAttribute!.BinaryValue!).toString(), 'Hello binary world!');
    // Only the attributes asked for come back, with the digest of those.
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['attribName1'], WaitTimeSeconds: 1 }));
    assert.deepEqual(Object.keys(again.Messages![0]!.MessageAttributes ?? {}), ['attribName1']);
    assert.equal(again.Messages![0]!.MD5OfMessageAttributes, '19e27d4e946b072f3f58da80d94fd778');
  });

  test('SendMessageBatch: every entry stored, results by Id; an entry that is invalid fails alone', T, async () => {
    const QueueUrl = await createQueue('batch');
    const res = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'one', MessageBody: 'first' },
          { Id: 'two', MessageBody: 'second', DelaySeconds: 1 },
          { Id: 'bad', MessageBody: 'x', MessageAttributes: { n: { DataType: 'Number', StringValue: 'NaN-ish' } } },
        ],
      }),
    );
    assert.deepEqual(res.Successful?.map((s) => s.Id).sort(), ['one', 'two']);
    assert.equal(res.Failed?.length, 1);
    assert.equal(res.Failed![0]!.Id, 'bad');
    assert.equal(res.Failed![0]!.SenderFault, true);
    assert.equal(res.Failed![0]!.Code, 'InvalidParameterValue');
  });

  test('SendMessageBatch with an entry id a:b fails with InvalidBatchEntryId', T, async () => {
    const QueueUrl = await createQueue('bid');
    const err = await sdkError(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a:b', MessageBody: 'x' }] })));
    assert.equal(err.name, 'InvalidBatchEntryId');
  });

  test('SendMessageBatch with duplicate ids fails with BatchEntryIdsNotDistinct', T, async () => {
    const QueueUrl = await createQueue('dup');
    const entries = [
      { Id: 'same', MessageBody: 'x' },
      { Id: 'same', MessageBody: 'y' },
    ];
    assert.equal((await sdkError(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries })))).name, 'BatchEntryIdsNotDistinct');
  });

  test('SendMessageBatch with 11 entries fails with TooManyEntriesInBatchRequest', T, async () => {
    const QueueUrl = await createQueue('many');
    const entries = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' }));
    assert.equal((await sdkError(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries })))).name, 'TooManyEntriesInBatchRequest');
  });

  test('SendMessageBatch with no entries fails with EmptyBatchRequest', T, async () => {
    const QueueUrl = await createQueue('empty');
    assert.equal((await sdkError(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [] })))).name, 'EmptyBatchRequest');
  });

  test('SendMessageBatch over 256 KiB in total fails with BatchRequestTooLong', T, async () => {
    const QueueUrl = await createQueue('long');
    const body = 'x'.repeat(100 * 1024);
    const entries = [0, 1, 2].map((i) => ({ Id: `e${i}`, MessageBody: body }));
    assert.equal((await sdkError(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries })))).name, 'BatchRequestTooLong');
  });

  test('a message larger than MaximumMessageSize is refused', T, async () => {
    const QueueUrl = await createQueue('size', { MaximumMessageSize: '1024' });
    assert.equal((await sdkError(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(1025) })))).name, 'InvalidParameterValue');
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(1024) }));
  });

  test('a body with characters SQS refuses is InvalidMessageContents', T, async () => {
    const QueueUrl = await createQueue('chars');
    assert.equal((await sdkError(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'bell \u0007' })))).name, 'InvalidMessageContents');
  });

  test('3 messages received with MaxNumberOfMessages 4 and VisibilityTimeout 0 give at most 3 distinct; 11 is InvalidParameterValue', T, async () => {
    const QueueUrl = await createQueue('max');
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [1, 2, 3].map((i) => ({ Id: `m${i}`, MessageBody: `b${i}` })) }));
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 4, VisibilityTimeout: 0, WaitTimeSeconds: 1 }));
    const ids = Messages.map((m) => m.MessageId);
    assert.ok(ids.length >= 1 && ids.length <= 3, `got ${ids.length}`);
    assert.equal(new Set(ids).size, ids.length);
    const err = await sdkError(sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 11 })));
    assert.equal(err.name, 'InvalidParameterValue');
    assert.equal(err.$metadata?.httpStatusCode, 400);
  });

  test('WaitTimeSeconds 21 and VisibilityTimeout 43201 are InvalidParameterValue', T, async () => {
    const QueueUrl = await createQueue('limits');
    assert.equal((await sdkError(sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 21 })))).name, 'InvalidParameterValue');
    assert.equal((await sdkError(sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 43_201 })))).name, 'InvalidParameterValue');
    assert.equal((await sdkError(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', DelaySeconds: 901 })))).name, 'InvalidParameterValue');
  });

  test('an explicit WaitTimeSeconds 0 returns at once although the queue waits 20 s by default', T, async () => {
    const QueueUrl = await createQueue('nowait', { ReceiveMessageWaitTimeSeconds: '20' });
    const started = Date.now();
    const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
    assert.equal(res.Messages, undefined);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  });

  test('a receive long-polling for 10 s returns at once when another client sets an in-flight message visible', T, async () => {
    const QueueUrl = await createQueue('wake');
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'in flight' }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 600, WaitTimeSeconds: 1 }));
    const receipt = first.Messages![0]!.ReceiptHandle;
    const other = sqsClient(server.url);
    const started = Date.now();
    const polling = other.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
    await new Promise((r) => setTimeout(r, 500));
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: receipt, VisibilityTimeout: 0 }));
    const res = await polling;
    const elapsed = Date.now() - started;
    other.destroy();
    assert.equal(res.Messages?.[0]?.Body, 'in flight');
    // Well under the 10 s wait, with room for a loaded machine.
    assert.ok(elapsed < 7000, `long poll took ${elapsed} ms`);
  });

  test('ChangeMessageVisibility sets the deadline from the moment of the call and can be repeated on the same receipt', T, async () => {
    const QueueUrl = await createQueue('cmv');
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'm' }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 1, WaitTimeSeconds: 1 }));
    const receipt = got.Messages![0]!.ReceiptHandle;
    await new Promise((r) => setTimeout(r, 700));
    // 3 s from now, not from the receive: still hidden 2.5 s after the call.
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: receipt, VisibilityTimeout: 3 }));
    await new Promise((r) => setTimeout(r, 1500));
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: receipt, VisibilityTimeout: 2 }));
    const changedAt = Date.now();
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }))).Messages, undefined);
    const back = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
    const visibleAfter = Date.now() - changedAt;
    assert.equal(back.Messages?.[0]?.Body, 'm');
    assert.ok(visibleAfter >= 1900 && visibleAfter < 9000, `visible again after ${visibleAfter} ms`);
    assert.equal(back.Messages?.[0]?.Attributes, undefined);
    // The old receipt's lease is over: changing it is MessageNotInflight.
    assert.equal((await sdkError(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: receipt, VisibilityTimeout: 5 })))).name, 'MessageNotInflight');
  });

  test('DeleteMessageBatch and ChangeMessageVisibilityBatch report each entry', T, async () => {
    const QueueUrl = await createQueue('rbatch');
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [1, 2].map((i) => ({ Id: `m${i}`, MessageBody: `b${i}` })) }));
    const got: string[] = [];
    for (let i = 0; i < 5 && got.length < 2; i++) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 2, WaitTimeSeconds: 1 }));
      for (const m of r.Messages ?? []) got.push(m.ReceiptHandle!);
    }
    const changed = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'a', ReceiptHandle: got[0], VisibilityTimeout: 100 },
          { Id: 'b', ReceiptHandle: 'nonsense', VisibilityTimeout: 100 },
        ],
      }),
    );
    assert.deepEqual(changed.Successful?.map((s) => s.Id), ['a']);
    assert.deepEqual(changed.Failed?.map((f) => [f.Id, f.Code]), [['b', 'ReceiptHandleIsInvalid']]);
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'x', ReceiptHandle: got[0] }, { Id: 'y', ReceiptHandle: got[1] }, { Id: 'z', ReceiptHandle: 'nonsense' }] }),
    );
    assert.deepEqual(deleted.Successful?.map((s) => s.Id).sort(), ['x', 'y']);
    assert.deepEqual(deleted.Failed?.map((f) => f.Id), ['z']);
    assert.equal((await attributes(QueueUrl, ['ApproximateNumberOfMessagesNotVisible'])).ApproximateNumberOfMessagesNotVisible, '0');
  });

  test('DelaySeconds hides a message until its delay has passed', T, async () => {
    const QueueUrl = await createQueue('delay');
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'later', DelaySeconds: 2 }));
    assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }))).Messages, undefined);
    const started = Date.now();
    const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
    assert.equal(res.Messages?.[0]?.Body, 'later');
    assert.ok(Date.now() - started >= 1000);
  });
});

describe('dead letters', () => {
  test('with maxReceiveCount 3 a message never deleted is seen at most 3 times, then sits in the dead-letter queue', T, async () => {
    const dlqUrl = await createQueue('dlq');
    const dlqArn = arnOf(await attributes(dlqUrl, ['QueueArn']));
    const QueueUrl = await createQueue('src', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }) });
    assert.deepEqual(JSON.parse((await attributes(QueueUrl, ['RedrivePolicy'])).RedrivePolicy!), { deadLetterTargetArn: dlqArn, maxReceiveCount: 3 });
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'poison' }));
    let seen = 0;
    for (let i = 0; i < 5; i++) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
      if (r.Messages?.length) {
        seen++;
        assert.equal(r.Messages[0]!.Attributes?.ApproximateReceiveCount, String(seen));
      }
    }
    assert.equal(seen, 3);
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 2, MessageSystemAttributeNames: ['All'] }));
    assert.equal(dead.Messages?.[0]?.MessageId, sent.MessageId);
    assert.equal(dead.Messages?.[0]?.Body, 'poison');
    assert.equal(dead.Messages?.[0]?.Attributes?.DeadLetterQueueSourceArn, arnOf(await attributes(QueueUrl, ['QueueArn'])));
    const sources = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }));
    assert.deepEqual(sources.queueUrls, [QueueUrl]);
  });

  test('a RedrivePolicy naming a missing queue, or a DLQ whose RedriveAllowPolicy denies it, is refused', T, async () => {
    const missing = JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:no-such-queue', maxReceiveCount: 2 });
    assert.equal((await sdkError(sqs.send(new CreateQueueCommand({ QueueName: queueName('x'), Attributes: { RedrivePolicy: missing } })))).name, 'InvalidParameterValue');
    const dlqUrl = await createQueue('deny', { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'denyAll' }) });
    const policy = JSON.stringify({ deadLetterTargetArn: arnOf(await attributes(dlqUrl, ['QueueArn'])), maxReceiveCount: 2 });
    assert.equal((await sdkError(sqs.send(new CreateQueueCommand({ QueueName: queueName('x'), Attributes: { RedrivePolicy: policy } })))).name, 'InvalidParameterValue');
    assert.equal((await attributes(dlqUrl, ['RedriveAllowPolicy'])).RedriveAllowPolicy, JSON.stringify({ redrivePermission: 'denyAll' }));
  });

  test('StartMessageMoveTask moves dead letters back; ListMessageMoveTasks reports it; CancelMessageMoveTask stops a running one', T, async () => {
    const dlqUrl = await createQueue('mdlq');
    const dlqArn = arnOf(await attributes(dlqUrl, ['QueueArn']));
    const srcUrl = await createQueue('msrc', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) });
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: srcUrl, Entries: [1, 2, 3, 4, 5].map((i) => ({ Id: `m${i}`, MessageBody: `b${i}` })) }));
    for (let i = 0; i < 10; i++) {
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: srcUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0 }));
      if ((await attributes(dlqUrl, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages === '5') break;
    }
    assert.equal((await attributes(dlqUrl, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '5');

    // At one message per second, a cancel arrives while the task still runs.
    const slow = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 1 }));
    assert.ok(slow.TaskHandle);
    const running = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
    assert.equal(running.Results?.[0]?.Status, 'RUNNING');
    assert.equal(running.Results?.[0]?.TaskHandle, slow.TaskHandle);
    assert.equal(running.Results?.[0]?.ApproximateNumberOfMessagesToMove, 5);
    assert.equal((await sdkError(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn })))).name, 'UnsupportedOperation');
    const cancelled = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: slow.TaskHandle }));
    assert.ok((cancelled.ApproximateNumberOfMessagesMoved ?? 99) < 5);
    let status = '';
    for (let i = 0; i < 30 && status !== 'CANCELLED'; i++) {
      status = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results?.[0]?.Status ?? '';
      if (status !== 'CANCELLED') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 'CANCELLED');

    // Unlimited: everything left goes back to the source.
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    for (let i = 0; i < 50 && status !== 'COMPLETED'; i++) {
      status = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results?.[0]?.Status ?? '';
      if (status !== 'COMPLETED') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 'COMPLETED');
    const both = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 10 }));
    assert.deepEqual(both.Results?.map((r) => r.Status), ['COMPLETED', 'CANCELLED']);
    assert.equal((await attributes(dlqUrl, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '0');
    assert.equal((await attributes(srcUrl, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '5');
    const notDlq = await sdkError(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arnOf(await attributes(srcUrl, ['QueueArn'])) })));
    assert.equal(notDlq.name, 'InvalidParameterValue');
  });
});

describe('FIFO queues', () => {
  test('10 messages in one group, two concurrent receives of 5: the first gets 5 in order, the second none', T, async () => {
    const QueueUrl = await createQueue('order', { ContentBasedDeduplication: 'true' }, true);
    for (let start = 0; start < 10; start += 5) {
      const Entries = Array.from({ length: 5 }, (_, i) => ({ Id: `m${start + i}`, MessageBody: `msg-${start + i}`, MessageGroupId: 'g' }));
      await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries }));
    }
    const [a, b] = await Promise.all([
      sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 5, WaitTimeSeconds: 0 })),
      sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 5, WaitTimeSeconds: 0 })),
    ]);
    const results = [a.Messages ?? [], b.Messages ?? []].sort((x, y) => y.length - x.length);
    assert.deepEqual(results[0]!.map((m) => m.Body), ['msg-0', 'msg-1', 'msg-2', 'msg-3', 'msg-4']);
    assert.equal(results[1]!.length, 0);
  });

  test('MessageGroupId is required, a per-message delay is refused, a deduplication id returns the first message', T, async () => {
    const QueueUrl = await createQueue('fifo', {}, true);
    const a = await sdkError(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageDeduplicationId: 'd' })));
    assert.equal(a.name, 'MissingParameter');
    const b = await sdkError(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g' })));
    assert.equal(b.name, 'InvalidParameterValue', 'no dedup id without ContentBasedDeduplication');
    const c = await sdkError(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 5 })));
    assert.equal(c.name, 'InvalidParameterValue');
    const first = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
    const second = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
    assert.equal(second.MessageId, first.MessageId);
    assert.match(first.SequenceNumber ?? '', /^\d+$/);
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'], WaitTimeSeconds: 1 }));
    assert.equal(Messages?.length, 1);
    assert.equal(Messages![0]!.Attributes?.MessageGroupId, 'g');
    assert.equal(Messages![0]!.Attributes?.MessageDeduplicationId, 'd1');
    assert.equal(Messages![0]!.Attributes?.SequenceNumber, first.SequenceNumber);
    const attrs = await attributes(QueueUrl);
    assert.equal(attrs.FifoQueue, 'true');
    assert.equal(attrs.ContentBasedDeduplication, 'false');
    const standard = await createQueue('std');
    assert.equal((await sdkError(sqs.send(new SendMessageCommand({ QueueUrl: standard, MessageBody: 'x', MessageDeduplicationId: 'd' })))).name, 'InvalidParameterValue');
  });
});

describe('authentication and access', () => {
  test('a wrong secret is SignatureDoesNotMatch; an unknown access key InvalidClientTokenId', T, async () => {
    const wrong = sqsClient(server.url, { accessKeyId: admin.accessKeyId, secretAccessKey: 'not-the-secret' });
    const e1 = await sdkError(wrong.send(new ListQueuesCommand({})));
    assert.equal(e1.name, 'SignatureDoesNotMatch');
    assert.equal(e1.$metadata?.httpStatusCode, 403);
    const unknown = sqsClient(server.url, { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'whatever' });
    assert.equal((await sdkError(unknown.send(new ListQueuesCommand({})))).name, 'InvalidClientTokenId');
    wrong.destroy();
    unknown.destroy();
  });

  test('an unsigned request to a server with credentials is MissingAuthenticationToken', T, async () => {
    const res = await fetch(`${server.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' },
      body: '{}',
    });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-amzn-query-error'), 'MissingAuthenticationToken;Sender');
    assert.deepEqual(Object.keys((await res.json()) as object), ['__type', 'message']);
  });

  test('a credential may do only what its permissions grant, and lists only the queues it may touch', T, async () => {
    const roName = queueName('ro');
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: roName }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'for the reader' }));
    const limited = sqsClient(server.url, reader);
    const denied = await sdkError(limited.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })));
    assert.equal(denied.name, 'AccessDenied');
    assert.equal(denied.$metadata?.httpStatusCode, 403);
    const got = await limited.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    assert.equal(got.Messages?.[0]?.Body, 'for the reader');
    const other = await createQueue('other');
    assert.equal((await sdkError(limited.send(new ReceiveMessageCommand({ QueueUrl: other })))).name, 'AccessDenied');
    const listed = await limited.send(new ListQueuesCommand({}));
    assert.ok((listed.QueueUrls ?? []).every((u) => u.split('/').pop()!.startsWith('ro-')));
    assert.ok(listed.QueueUrls?.includes(QueueUrl!));
    limited.destroy();
  });

  test('an unknown action is InvalidAction', T, async () => {
    const signer = sqsClient(server.url);
    signer.middlewareStack.add((next) => async (args) => {
      const request = (args as { request: { headers: Record<string, string> } }).request;
      request.headers['x-amz-target'] = 'AmazonSQS.FlyToTheMoon';
      return next(args);
    }, { step: 'build' });
    assert.equal((await sdkError(signer.send(new ListQueuesCommand({})))).name, 'InvalidAction');
    signer.destroy();
  });
});
