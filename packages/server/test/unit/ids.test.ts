import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeReceipt, encodeReceipt, formatSequence, messageId, newLeaseKey, parseSequence } from '../../src/core/ids.js';

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

  it('a receipt names one lease and carries its random key', () => {
    const key = newLeaseKey();
    const r = encodeReceipt(42, 3, key);
    assert.deepEqual(decodeReceipt(r), { seq: 42, deliveryCount: 3, leaseKey: key });
    const keys = new Set(Array.from({ length: 5000 }, () => newLeaseKey()));
    assert.equal(keys.size, 5000, 'lease keys repeat');
    assert.equal(decodeReceipt('garbage'), undefined);
    assert.equal(decodeReceipt(`16.x!.${key}`), undefined);
    assert.equal(decodeReceipt('16.1.short'), undefined);
  });
});
