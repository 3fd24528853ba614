import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SqsError } from '../../src/protocols/sqs/errors.js';
import { md5OfMessageAttributes } from '../../src/protocols/sqs/md5.js';
import { attributesToHeaders, headersToAttributes, parseMessageAttributes, selectAttributes } from '../../src/protocols/sqs/message-attributes.js';
import { dataTypesHeader } from '../../src/protocols/sqs/reserved-headers.js';

test('attributes become native headers; exact types survive the round trip', () => {
  const sent = parseMessageAttributes({
    s: { DataType: 'String', StringValue: 'text' },
    n: { DataType: 'Number', StringValue: '42' },
    f: { DataType: 'Number', StringValue: '1.50' },
    c: { DataType: 'Number.float', StringValue: '2.5' },
    b: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]).toString('base64') },
    t: { DataType: 'String.json', StringValue: '{}' },
  });
  const headers = attributesToHeaders(sent);
  assert.equal(headers.s, 'text');
  assert.equal(headers.n, 42);
  assert.equal(headers.f, '1.50', 'a number that would not print back the same stays text');
  assert.equal(headers.c, '2.5', 'a custom Number type keeps the text');
  assert.deepEqual(headers.b, Buffer.from([1, 2, 3]));
  assert.deepEqual(JSON.parse(String(headers[dataTypesHeader])), { f: 'Number', c: 'Number.float', t: 'String.json' });
  const back = headersToAttributes(headers);
  assert.deepEqual(back, sent);
  assert.equal(md5OfMessageAttributes(back), md5OfMessageAttributes(sent));
});

test('native headers read as String, Number and Binary attributes', () => {
  assert.deepEqual(headersToAttributes({ a: 'x', b: 7, c: new Uint8Array([9]) }), {
    a: { DataType: 'String', StringValue: 'x' },
    b: { DataType: 'Number', StringValue: '7' },
    c: { DataType: 'Binary', BinaryValue: new Uint8Array([9]) },
  });
});

test('a native header that merely shares the reserved name is ignored, not trusted', () => {
  assert.deepEqual(headersToAttributes({ [dataTypesHeader]: 'not json', a: 'x' }), { a: { DataType: 'String', StringValue: 'x' } });
});

test('attribute checks: count, names, types and values', () => {
  const err = (raw: Record<string, unknown>): string => {
    try {
      parseMessageAttributes(raw);
      return 'accepted';
    } catch (e) {
      assert.ok(e instanceof SqsError);
      return e.errorName;
    }
  };
  const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }]));
  assert.equal(err(eleven), 'InvalidParameterValue');
  assert.equal(err({ 'AWS.x': { DataType: 'String', StringValue: 'v' } }), 'InvalidParameterValue');
  assert.equal(err({ a: { DataType: 'Text', StringValue: 'v' } }), 'InvalidParameterValue');
  assert.equal(err({ a: { DataType: 'Number', StringValue: 'abc' } }), 'InvalidParameterValue');
  assert.equal(err({ a: { DataType: 'String', StringValue: '' } }), 'InvalidParameterValue');
  assert.equal(err({ a: { DataType: 'Number.int', StringValue: '-1e5' } }), 'accepted');
});

test('MessageAttributeNames select exact names, prefixes and All', () => {
  const attrs = parseMessageAttributes({
    'order.id': { DataType: 'String', StringValue: '1' },
    'order.total': { DataType: 'Number', StringValue: '2' },
    other: { DataType: 'String', StringValue: '3' },
  });
  assert.deepEqual(Object.keys(selectAttributes(attrs, ['order.*'])), ['order.id', 'order.total']);
  assert.deepEqual(Object.keys(selectAttributes(attrs, ['other'])), ['other']);
  assert.equal(Object.keys(selectAttributes(attrs, ['All'])).length, 3);
});
