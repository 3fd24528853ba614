import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeBody, encodeFramedEntry, decodeHeaders, encodeHeaders, type FramedOutgoing } from '../src/codec.js';
import { ChuteError } from '../src/errors.js';
import { decodeFrame, encodeFrame } from '../src/frames.js';
import { Message } from '../src/message.js';
import type { FramedMessage } from '../src/wire.js';

/** What a receive would return for the given send, through a frame each way. */
function roundTrip(outgoing: FramedOutgoing): Message {
  const sent = decodeFrame<{ bodyBytes: number; headers?: FramedMessage['headers'] }>(encodeFrame([outgoing.entry], [outgoing.body]));
  const entry: FramedMessage = {
    id: 'm1',
    sequence: '1',
    headers: sent.messages[0]?.headers ?? {},
    priority: 0,
    enqueuedAt: 0,
    deliveryCount: 1,
    bodyBytes: sent.bodies[0]?.length ?? 0,
  };
  const received = decodeFrame<FramedMessage>(encodeFrame([entry], sent.bodies));
  return new Message(received.messages[0] as FramedMessage, received.bodies[0] as Buffer);
}

test('strings travel as their UTF-8 bytes marked text/plain', () => {
  const out = encodeFramedEntry('héllo ✓');
  assert.deepEqual(out.body, Buffer.from('héllo ✓', 'utf8'));
  assert.equal(out.entry.bodyBytes, out.body.length);
  assert.equal(out.entry.headers?.['content-type'], 'text/plain; charset=utf-8');
  const m = roundTrip(out);
  assert.equal(m.text(), 'héllo ✓');
  assert.equal(m.value, 'héllo ✓');
  assert.deepEqual(m.toJSON().body, 'héllo ✓');
});

test('bytes travel as they are and come back byte for byte', () => {
  const bytes = new Uint8Array([0, 255, 1, 128, 10, 13]);
  const out = encodeFramedEntry(bytes);
  assert.equal(out.entry.headers?.['content-type'], 'application/octet-stream');
  const m = roundTrip(out);
  assert.deepEqual([...m.body], [...bytes]);
  assert.ok(Buffer.isBuffer(m.value));
  // Printed as JSON (the CLI's --json), bytes that are not UTF-8 are written as base64.
  assert.deepEqual([m.toJSON().bodyEncoding, m.toJSON().body], ['base64', Buffer.from(bytes).toString('base64')]);
});

test('a Uint8Array view over a larger buffer sends only its own bytes', () => {
  const backing = Buffer.from('xxabcxx');
  assert.equal(encodeFramedEntry(backing.subarray(2, 5)).body.toString(), 'abc');
  assert.equal(Buffer.from(encodeBody(backing.subarray(2, 5)).body, 'base64').toString(), 'abc');
});

test('JSON values travel as JSON text marked application/json', () => {
  for (const value of [{ a: 1, b: [true, null] }, [1, 2], 42, false, null]) {
    const out = encodeFramedEntry(value);
    assert.equal(out.entry.headers?.['content-type'], 'application/json');
    const m = roundTrip(out);
    assert.deepEqual(m.json(), value);
    assert.deepEqual(m.value, value);
  }
});

test('values JSON cannot hold are refused', () => {
  assert.throws(() => encodeBody(undefined as never), TypeError);
  assert.throws(() => encodeFramedEntry(undefined as never), TypeError);
});

test('caller headers and content type win over the derived one', () => {
  assert.equal(encodeFramedEntry('x', { contentType: 'application/json' }).entry.headers?.['content-type'], 'application/json');
  assert.equal(encodeFramedEntry('x', { headers: { 'Content-Type': 'text/csv' } }).entry.headers?.['Content-Type'], 'text/csv');
  assert.equal(encodeFramedEntry('x', { headers: { 'Content-Type': 'text/csv' } }).entry.headers?.['content-type'], undefined);
});

test('send options are copied to the entry', () => {
  const { entry } = encodeFramedEntry('x', { priority: 7, delayMs: 5, ttlMs: 9, groupId: 'g', dedupId: 'd' });
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

test('a frame from the broker that does not add up is a BadResponse', () => {
  const good = encodeFrame([{ bodyBytes: 3 }], [Buffer.from('abc')]);
  for (const bad of [good.subarray(0, 2), good.subarray(0, good.length - 1), Buffer.concat([good, Buffer.from('x')])]) {
    assert.throws(() => decodeFrame(bad), (e: unknown) => e instanceof ChuteError && e.code === 'BadResponse');
  }
  assert.deepEqual(decodeFrame(good).bodies, [Buffer.from('abc')]);
});
