import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BodyCache } from '../../src/backends/embedded/body-cache.js';
import { decodeBody, encodeBody } from '../../src/backends/embedded/records.js';
import { sameHeaders } from '../../src/core/headers.js';
import type { Headers, Message, ReceiptResult, ReceivedMessage, SendResult } from '../../src/core/types.js';
import { ChuteError } from '../../src/core/errors.js';
import { encodeMessage, encodeReceiptResult, encodeSendResult, framedMessagesJson, receiptResultsJson, sendResultsJson } from '../../src/protocols/http/codec.js';
import { decodeFrame, encodeFrame } from '../../src/protocols/http/frames.js';

function message(seq: number, extra: Partial<ReceivedMessage> = {}): ReceivedMessage {
  return {
    id: `0mx8hqvcv${String(seq).padStart(11, '0')}`,
    sequence: String(seq).padStart(20, '0'),
    body: Buffer.from(`body ${seq}`),
    headers: { 'content-type': 'application/octet-stream' },
    priority: 0,
    enqueuedAt: 1_796_358_963_775 + seq,
    deliveryCount: 1,
    firstDeliveredAt: 1_796_358_963_791,
    receipt: `${seq}.1.tGez5Mt2dEQk`,
    leaseExpiresAt: 1_796_358_993_791,
    ...extra,
  };
}

/** The framed entry as the general JSON codec writes a message, bodyBytes in place of the body. */
function reference(m: Message | ReceivedMessage): unknown {
  const { body: _body, bodyEncoding: _encoding, ...fields } = encodeMessage(m, 'auto');
  return { ...fields, bodyBytes: m.body.byteLength };
}

describe('framedMessagesJson', () => {
  it('writes the same entries as the JSON codec, field for field and in order', () => {
    const messages: Array<Message | ReceivedMessage> = [
      message(1),
      message(2, { headers: {} }),
      message(3, { groupId: 'grüppe "7"\n', dedupId: 'd\\1', priority: 9, deliveryCount: 4 }),
      message(4, { headers: { n: 5, t: 'ünï', raw: Buffer.from([0, 255]) } }),
      message(5, { deadLetter: { reason: 'maxDeliveries', sourceQueue: 'jobs', at: 17 } }),
      message(6, { headers: { 'content-type': 'application/octet-stream' } }),
      message(7, { headers: { 'content-type': 'text/plain' } }),
    ];
    const { receipt: _r, leaseExpiresAt: _l, ...peeked } = message(8);
    messages.push(peeked);
    const json = framedMessagesJson(messages);
    assert.deepEqual(JSON.parse(json), { messages: messages.map(reference) });
    assert.equal(json, JSON.stringify({ messages: messages.map(reference) }));
  });

  it('does not reuse the text of a header set for a different one', () => {
    const a = message(1, { headers: { x: '1' } });
    const b = message(2, { headers: { x: '2' } });
    const c = message(3, { headers: { x: '1', y: '1' } });
    for (const order of [[a, b, a], [a, c, a], [c, a, c]]) {
      assert.deepEqual(JSON.parse(framedMessagesJson(order)), { messages: order.map(reference) });
    }
  });
});

describe('result answers', () => {
  it('write batch send results as the JSON codec does', () => {
    const results: SendResult[] = [
      { ok: true, id: '0mx8hqvcv00000000001', sequence: '00000000000000000001', duplicate: false, entryId: '0' },
      { ok: true, id: '0mx8hqvcv00000000002', sequence: '00000000000000000002', duplicate: true },
      { ok: false, entryId: 'entry "3"', error: new ChuteError('MessageTooLarge', 'body is 2 MiB; the limit is 1 MiB', { field: 'messages[2].body', limit: 1048576 }) },
      { ok: true, id: '0mx8hqvcv00000000004', sequence: '00000000000000000004', duplicate: false, entryId: 'ü\\' },
    ];
    assert.equal(sendResultsJson(results), JSON.stringify({ results: results.map(encodeSendResult) }));
    assert.equal(sendResultsJson([]), '{"results":[]}');
  });

  it('write ack, nack and extend results as the JSON codec does', () => {
    const results: ReceiptResult[] = [
      { ok: true, receipt: '1.1.tGez5Mt2dEQk' },
      { ok: true, receipt: '2.1.E9P5dlJUimFW', leaseExpiresAt: 1_796_358_993_791 },
      { ok: false, receipt: 'not "a" receipt', error: new ChuteError('ReceiptInvalid', 'the receipt is malformed', { field: 'receipt' }) },
    ];
    assert.equal(receiptResultsJson(results), JSON.stringify({ results: results.map(encodeReceiptResult) }));
  });
});

describe('encodeFrame', () => {
  it('writes the length, the JSON and the bodies that decodeFrame reads back', () => {
    const messages = [message(1), message(2, { body: Buffer.alloc(0) }), message(3, { body: Buffer.from('ü') })];
    const frame = encodeFrame(framedMessagesJson(messages), messages.map((m) => m.body));
    const decoded = decodeFrame(frame, JSON.parse);
    assert.deepEqual(decoded.bodies.map((b) => b.toString()), ['body 1', '', 'ü']);
    assert.equal(decoded.messages[2]?.bodyBytes, 2);
  });
});

describe('sameHeaders', () => {
  it('compares names and text or number values, never bytes', () => {
    assert.equal(sameHeaders({ a: '1', b: 2 }, { b: 2, a: '1' }), true);
    assert.equal(sameHeaders({}, {}), true);
    assert.equal(sameHeaders({ a: '1' }, { a: 1 }), false);
    assert.equal(sameHeaders({ a: '1' }, { a: '1', b: '2' }), false);
    assert.equal(sameHeaders({ a: '1', b: '2' }, { a: '1' }), false);
    assert.equal(sameHeaders({ a: Buffer.from('x') }, { a: Buffer.from('x') }), false);
  });
});

describe('body records', () => {
  it('keep their own headers when consecutive messages carry different sets', () => {
    const sets: Headers[] = [{ t: 'a' }, { t: 'a' }, { t: 'b' }, {}, { t: 'a' }, { t: 'a', u: 1 }];
    for (const headers of sets) {
      const body = Buffer.from(JSON.stringify(headers));
      const decoded = decodeBody(encodeBody(body, headers, undefined), body.length);
      assert.deepEqual(decoded.headers, headers);
      assert.deepEqual(Buffer.from(decoded.body), body);
    }
    const withDedup = decodeBody(encodeBody(Buffer.from('x'), { t: 'a' }, 'key-1'), 1);
    assert.deepEqual(withDedup.headers, { t: 'a' });
    assert.equal(withDedup.dedupId, 'key-1');
  });
});

describe('BodyCache', () => {
  const record = (text: string) => ({ body: Buffer.from(text), headers: { h: text }, dedupId: undefined });

  it('hands a record over once, as a copy of the bytes it was given', () => {
    const cache = new BodyCache(1 << 20);
    const source = Buffer.from('hello');
    cache.add(1, { body: source, headers: {}, dedupId: 'd' });
    source.fill(0);
    const taken = cache.take(1);
    assert.equal(taken?.body.toString(), 'hello');
    assert.equal(taken?.dedupId, 'd');
    assert.equal(cache.take(1), undefined);
    assert.equal(cache.heldBytes, 0);
  });

  it('stays within its bound by giving up the oldest entries first', () => {
    const cache = new BodyCache(1000);
    for (let seq = 1; seq <= 20; seq++) cache.add(seq, record('x'.repeat(100)));
    assert.ok(cache.heldBytes <= 1000, `holds ${cache.heldBytes} bytes`);
    assert.equal(cache.take(1), undefined);
    assert.equal(cache.take(20)?.body.length, 100);
    cache.add(99, record('y'.repeat(5000)));
    assert.equal(cache.take(99), undefined, 'an entry larger than the whole cache is not kept');
  });

  it('forgets deleted messages', () => {
    const cache = new BodyCache(1 << 20);
    cache.add(5, record('five'));
    cache.delete(5);
    cache.delete(6);
    assert.equal(cache.take(5), undefined);
    assert.equal(cache.heldBytes, 0);
  });
});
