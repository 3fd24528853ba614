import assert from 'node:assert/strict';
import { test } from 'node:test';
import { md5OfBody, md5OfMessageAttributes } from '../../src/protocols/sqs/md5.js';

// Digests published for Amazon SQS's algorithm (the same inputs give the same digests there).
const stringAttr = { attribName1: { DataType: 'String', StringValue: 'attribValue 1' } };
const floatAttr = { customNumberTypeAttrib: { DataType: 'Number.float', StringValue: '4563442423554324324264524243.32543234' } };
const binaryAttr = { binaryAttribute: { DataType: 'Binary', BinaryValue: Buffer.from('Hello binary world!') } };

test('MD5OfMessageBody is the MD5 of the UTF-8 body', () => {
  assert.equal(md5OfBody('hello'), '5d41402abc4b2a76b9719d911017c592');
  assert.equal(md5OfBody('€'), 'bca53fde466a76b7bee3e18997e94a7a');
});

test('MD5OfMessageAttributes of a String attribute', () => {
  assert.equal(md5OfMessageAttributes(stringAttr), '19e27d4e946b072f3f58da80d94fd778');
});

test('MD5OfMessageAttributes of a custom Number type keeps the type name in the digest', () => {
  assert.equal(md5OfMessageAttributes(floatAttr), '9fe1b90bbd9965bdf77bac517c7d2495');
});

test('MD5OfMessageAttributes of a Binary attribute uses transport type 2', () => {
  assert.equal(md5OfMessageAttributes(binaryAttr), '31a92b15d92f8db860eda32aceb656c3');
});

test('MD5OfMessageAttributes of several attributes sorts them by name, whatever the given order', () => {
  const expected = 'c932db14a896c663f83c260297d594ff';
  assert.equal(md5OfMessageAttributes({ ...stringAttr, ...floatAttr, ...binaryAttr }), expected);
  assert.equal(md5OfMessageAttributes({ ...binaryAttr, ...floatAttr, ...stringAttr }), expected);
});

test('no attributes, no digest', () => {
  assert.equal(md5OfMessageAttributes({}), undefined);
});
