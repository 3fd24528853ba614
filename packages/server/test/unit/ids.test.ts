import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSequence, messageId, parseSequence, ReceiptCodec } from '../../src/core/ids.js';

describe('message ids and receipts', () => {
  it('ids sort by enqueue time, then sequence', () => {
    const ids = [messageId(1_700_000_000_000, 5), messageId(1_700_000_000_000, 6), messageId(1_700_000_000_001, 1), messageId(1_800_000_000_000, 2)];
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('sequences round-trip', () => {
    assert.equal(parseSequence(formatSequence(123456)), 123456);
    assert.equal(parseSequence('abc'), undefined);
    assert.equal(parseSequence('99999999999999999999'), undefined);
  });

  it('a receipt names one lease; malformed ones and those of another process are refused', () => {
    const codec = new ReceiptCodec();
    const r = codec.encode(42, 3);
    assert.deepEqual(codec.decode(r), { seq: 42, deliveryCount: 3 });
    const [seq, , token] = r.split('.');
    assert.equal(codec.decode(`${seq}.x!.${token}`), undefined);
    assert.equal(codec.decode('garbage'), undefined);
    assert.equal(new ReceiptCodec().decode(r), undefined, 'another process issued it');
  });
});
