import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Deque } from '../../src/backends/embedded/deque.js';
import { MinHeap } from '../../src/backends/embedded/heap.js';

describe('Deque', () => {
  it('is first-in-first-out across growth and wrap-around', () => {
    const d = new Deque<number>(2);
    const expected: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 7; i++) {
        d.push(next);
        expected.push(next++);
      }
      for (let i = 0; i < 5; i++) assert.equal(d.shift(), expected.shift());
    }
    assert.equal(d.length, expected.length);
    assert.deepEqual([...d], expected);
    d.unshift(-1);
    assert.equal(d.peek(), -1);
    assert.equal(d.peekBack(), expected[expected.length - 1]);
  });
});

describe('MinHeap', () => {
  it('pops in key order with tags attached', () => {
    const h = new MinHeap<string>();
    const keys = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
    keys.forEach((k) => h.push(k, `v${k}`, k * 2));
    const out: number[] = [];
    while (h.size > 0) {
      const k = h.peekKey();
      assert.equal(h.peekTag(), k * 2);
      assert.equal(h.pop(), `v${k}`);
      out.push(k);
    }
    assert.deepEqual(out, [...keys].sort((a, b) => a - b));
    assert.equal(h.peekKey(), Infinity);
  });
});
