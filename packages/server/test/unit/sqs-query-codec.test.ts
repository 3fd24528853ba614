import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeQueryRequest, encodeQueryError, encodeQueryOutput } from '../../src/protocols/sqs/codec-query.js';
import { SqsError } from '../../src/protocols/sqs/errors.js';

function form(params: Record<string, string>): Buffer {
  return Buffer.from(new URLSearchParams(params).toString());
}

test('flattened maps and lists of a Query request become the JSON members the actions read', () => {
  const { action, input } = decodeQueryRequest(
    form({
      Action: 'CreateQueue',
      Version: '2012-11-05',
      QueueName: 'q1',
      'Attribute.1.Name': 'VisibilityTimeout',
      'Attribute.1.Value': '45',
      'Attribute.2.Name': 'DelaySeconds',
      'Attribute.2.Value': '3',
      'Tag.1.Key': 'team',
      'Tag.1.Value': 'core',
    }),
    '',
  );
  assert.equal(action, 'CreateQueue');
  assert.deepEqual(input, { QueueName: 'q1', Attributes: { VisibilityTimeout: '45', DelaySeconds: '3' }, Tags: { team: 'core' } });
});

test('batch entries keep their order and carry message attributes as structures', () => {
  const { input } = decodeQueryRequest(
    form({
      Action: 'SendMessageBatch',
      QueueUrl: 'http://h/000000000000/q',
      'SendMessageBatchRequestEntry.2.Id': 'second',
      'SendMessageBatchRequestEntry.2.MessageBody': 'b',
      'SendMessageBatchRequestEntry.1.Id': 'first',
      'SendMessageBatchRequestEntry.1.MessageBody': 'a',
      'SendMessageBatchRequestEntry.1.MessageAttribute.1.Name': 'price',
      'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType': 'Number.float',
      'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue': '1.50',
    }),
    '',
  );
  assert.deepEqual(input, {
    QueueUrl: 'http://h/000000000000/q',
    Entries: [
      { Id: 'first', MessageBody: 'a', MessageAttributes: { price: { DataType: 'Number.float', StringValue: '1.50' } } },
      { Id: 'second', MessageBody: 'b' },
    ],
  });
});

test('numbered name lists become string lists', () => {
  const { input } = decodeQueryRequest(form({ Action: 'ReceiveMessage', 'AttributeName.1': 'All', 'MessageAttributeName.1': 'a', 'MessageAttributeName.2': 'b.*' }), '');
  assert.deepEqual(input, { AttributeNames: ['All'], MessageAttributeNames: ['a', 'b.*'] });
});

test('a request without Action is MissingParameter', () => {
  assert.throws(() => decodeQueryRequest(form({ QueueName: 'x' }), ''), (e) => e instanceof SqsError && e.errorName === 'MissingParameter');
});

test('outputs render in the documented XML shapes: flattened lists and Name/Value maps', () => {
  const xml = encodeQueryOutput(
    'ReceiveMessage',
    {
      Messages: [
        {
          MessageId: 'm1',
          Body: 'a < b & c',
          Attributes: { SentTimestamp: '1' },
          MessageAttributes: { bin: { DataType: 'Binary', BinaryValue: Buffer.from('hi') } },
        },
      ],
    },
    'req-1',
  );
  assert.equal(
    xml,
    '<?xml version="1.0" encoding="UTF-8"?>\n<ReceiveMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">' +
      '<ReceiveMessageResult><Message><MessageId>m1</MessageId><Body>a &lt; b &amp; c</Body>' +
      '<Attribute><Name>SentTimestamp</Name><Value>1</Value></Attribute>' +
      '<MessageAttribute><Name>bin</Name><Value><DataType>Binary</DataType><BinaryValue>aGk=</BinaryValue></Value></MessageAttribute>' +
      '</Message></ReceiveMessageResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></ReceiveMessageResponse>',
  );
});

test('batch results are named after the action; actions without output have no Result element', () => {
  const batch = encodeQueryOutput('DeleteMessageBatch', { Successful: [{ Id: 'a' }], Failed: [{ Id: 'b', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'm' }] }, 'r');
  assert.match(batch, /<DeleteMessageBatchResult><DeleteMessageBatchResultEntry><Id>a<\/Id><\/DeleteMessageBatchResultEntry>/);
  assert.match(batch, /<BatchResultErrorEntry><Id>b<\/Id><SenderFault>true<\/SenderFault><Code>ReceiptHandleIsInvalid<\/Code><Message>m<\/Message><\/BatchResultErrorEntry>/);
  assert.match(encodeQueryOutput('DeleteMessage', {}, 'r'), /^<\?xml[^>]*>\n<DeleteMessageResponse xmlns="[^"]+"><ResponseMetadata>/);
});

test('errors render as ErrorResponse with Type, Code, Message and RequestId', () => {
  const { status, body } = encodeQueryError(new SqsError('QueueDoesNotExist', 'The specified queue does not exist.'), 'r9');
  assert.equal(status, 400);
  assert.match(
    body,
    /<ErrorResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><Error><Type>Sender<\/Type><Code>AWS.SimpleQueueService.NonExistentQueue<\/Code><Message>The specified queue does not exist.<\/Message><Detail><\/Detail><\/Error><RequestId>r9<\/RequestId><\/ErrorResponse>/,
  );
});

test('a "__proto__" parameter, attribute name or tag key of a Query request is refused instead of vanishing', () => {
  const cases: Array<Record<string, string>> = [
    { 'MessageAttribute.1.Name': '__proto__', 'MessageAttribute.1.Value.DataType': 'String', 'MessageAttribute.1.Value.StringValue': 'x' },
    { 'Tag.1.Key': '__proto__', 'Tag.1.Value': 'x' },
    { '__proto__.QueueUrl': 'q' },
  ];
  for (const params of cases) {
    assert.throws(
      () => decodeQueryRequest(form({ Action: 'SendMessage', ...params }), ''),
      (e: unknown) => e instanceof SqsError && e.errorName === 'InvalidParameterValue' && /"__proto__" is not allowed/.test(e.message),
      JSON.stringify(params),
    );
  }
});

test('parameters named after Object methods are plain parameters, not maps or lists', () => {
  const { input } = decodeQueryRequest(form({ Action: 'SendMessage', 'toString.1': 'a', constructor: 'b', hasOwnProperty: 'c' }), '');
  assert.deepEqual(input, { toString: { 1: 'a' }, constructor: 'b', hasOwnProperty: 'c' });
});
