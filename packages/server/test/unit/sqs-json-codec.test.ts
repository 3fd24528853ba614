import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeJsonOutput } from '../../src/protocols/sqs/codec-json.js';

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
