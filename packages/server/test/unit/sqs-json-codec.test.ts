import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeJsonRequest, encodeJsonOutput } from '../../src/protocols/sqs/codec-json.js';
import { SqsError } from '../../src/protocols/sqs/errors.js';

test('binary values leave the JSON protocol as base64 strings, Buffers and plain byte arrays alike', () => {
  const backing = Buffer.from([9, 0, 255, 1, 9]);
  const out = JSON.parse(
    encodeJsonOutput({
      Messages: [
        {
          MessageAttributes: {
            buffer: { DataType: 'Binary', BinaryValue: Buffer.from([0, 255, 1]) },
            view: { DataType: 'Binary', BinaryValue: backing.subarray(1, 4) },
            bytes: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 255, 1]) },
          },
        },
      ],
    }),
  ) as { Messages: Array<{ MessageAttributes: Record<string, { BinaryValue: unknown }> }> };
  const attrs = out.Messages[0]!.MessageAttributes;
  assert.deepEqual(
    Object.values(attrs).map((a) => a.BinaryValue),
    ['AP8B', 'AP8B', 'AP8B'],
  );
});

test('a "__proto__" key anywhere in a JSON request is refused instead of vanishing, however it is written', () => {
  for (const body of [
    '{"QueueUrl":"q","MessageBody":"x","MessageAttributes":{"__proto__":{"DataType":"String","StringValue":"x"}}}',
    '{"QueueUrl":"q","Tags":{"__proto__":"x"}}',
    String.raw`{"QueueUrl":"q","Tags":{"\u005f_proto__":"x"}}`,
  ]) {
    assert.throws(
      () => decodeJsonRequest(Buffer.from(body), 'AmazonSQS.SendMessage'),
      (e: unknown) => e instanceof SqsError && e.errorName === 'InvalidParameterValue' && /"__proto__" is not allowed/.test(e.message),
      body,
    );
  }
  assert.deepEqual(decodeJsonRequest(Buffer.from('{"Tags":{"proto":"x"}}'), 'AmazonSQS.TagQueue').input, { Tags: { proto: 'x' } });
});
