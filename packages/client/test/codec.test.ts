import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeBody, encodeSendEntry, decodeHeaders, encodeHeaders } from '../src/codec.js';
import { Message } from '../src/message.js';
import type { WireMessage } from '../src/wire.js';

/** What a receive would return for the given send entry. */
function roundTrip(entry: ReturnType<typeof encodeSendEntry>): Message {
  const wire: WireMessage = {
    id: 'm1',
    sequence: '1',
    body: entry.body,
    bodyEncoding: entry.bodyEncoding ?? 'utf8',
    headers: entry.headers ?? {},
    priority: 0,
    enqueuedAt: 0,
    deliveryCount: 1,
  };
  return new Message(wire);
}

test('strings travel as UTF-8 text marked text/plain', () => {
  const entry = encodeSendEntry('héllo ✓');
  assert.equal(entry.body, 'héllo ✓');
  assert.equal(entry.bodyEncoding, undefined);
  assert.equal(entry.headers?.['content-type'], 'text/plain; charset=utf-8');
  const m = roundTrip(entry);
  assert.equal(m.text(), 'héllo ✓');
  assert.equal(m.value, 'héllo ✓');
  assert.deepEqual(m.body, Buffer.from('héllo ✓', 'utf8'));
});

test('bytes travel as base64 and come back byte for byte', () => {
  const bytes = new Uint8Array([0, 255, 1, 128, 10, 13]);
  const entry = encodeSendEntry(bytes);
  assert.equal(entry.bodyEncoding, 'base64');
  assert.equal(entry.headers?.['content-type'], 'application/octet-stream');
  const m = roundTrip(entry);
  assert.deepEqual([...m.body], [...bytes]);
  assert.ok(Buffer.isBuffer(m.value));
});

test('a Uint8Array view over a larger buffer sends only its own bytes', () => {
  const backing = Buffer.from('xxabcxx');
  assert.equal(Buffer.from(encodeBody(backing.subarray(2, 5)).body, 'base64').toString(), 'abc');
});

test('JSON values travel as JSON text marked application/json', () => {
  for (const value of [{ a: 1, b: [true, null] }, [1, 2], 42, false, null]) {
    const entry = encodeSendEntry(value);
    assert.equal(entry.headers?.['content-type'], 'application/json');
    const m = roundTrip(entry);
    assert.deepEqual(m.json(), value);
    assert.deepEqual(m.value, value);
  }
});

test('values JSON cannot hold are refused', () => {
  assert.throws(() => encodeBody(undefined as never), TypeError);
});

test('caller headers and content type win over the derived one', () => {
  assert.equal(encodeSendEntry('x', { contentType: 'application/json' }).headers?.['content-type'], 'application/json');
  assert.equal(encodeSendEntry('x', { headers: { 'Content-Type': 'text/csv' } }).headers?.['Content-Type'], 'text/csv');
  assert.equal(encodeSendEntry('x', { headers: { 'Content-Type': 'text/csv' } }).headers?.['content-type'], undefined);
});

test('send options are copied to the wire entry', () => {
  const entry = encodeSendEntry('x', { priority: 7, delayMs: 5, ttlMs: 9, groupId: 'g', dedupId: 'd' });
  assert.deepEqual(
    { p: entry.priority, d: entry.delayMs, t: entry.ttlMs, g: entry.groupId, dd: entry.dedupId },
    { p: 7, d: 5, t: 9, g: 'g', dd: 'd' },
  );
});

test('byte headers travel as { base64 } and decode back to bytes', () => {
  const wire = encodeHeaders({ a: 'text', n: 3, b: new Uint8Array([1, 2, 3]) });
  assert.deepEqual(wire, { a: 'text', n: 3, b: { base64: 'AQID' } });
  const back = decodeHeaders(wire);
  assert.equal(back.a, 'text');
  assert.equal(back.n, 3);
  assert.deepEqual([...(back.b as Uint8Array)], [1, 2, 3]);
});
