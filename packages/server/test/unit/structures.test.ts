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

  it('retain keeps the accepted items in order, across wrap-around, and works on after shrinking', () => {
    const d = new Deque<number>(4);
    // The items wrap around the end of the buffer: 150 taken from the front, then more pushed; the
    // buffer of 256 slots shrinks when a fifth of them is kept, and again when three are.
    for (let i = 0; i < 200; i++) d.push(i);
    for (let i = 0; i < 150; i++) d.shift();
    for (let i = 200; i < 300; i++) d.push(i);
    d.retain((n) => n % 3 === 0);
    const expected = Array.from({ length: 150 }, (_, i) => 150 + i).filter((n) => n % 3 === 0);
    assert.deepEqual([...d], expected);
    assert.equal(d.length, expected.length);
    d.retain((n) => n >= 290);
    assert.deepEqual([...d], [291, 294, 297]);
    for (let i = 0; i < 40; i++) d.push(1000 + i);
    assert.equal(d.shift(), 291);
    assert.equal(d.peekBack(), 1039);
    assert.equal(d.length, 42);
    d.retain(() => false);
    assert.equal(d.length, 0);
    assert.equal(d.shift(), undefined);
    d.push(7);
    assert.deepEqual([...d], [7]);
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

  it('sweeps out stale entries by itself, keeping the live ones in key order', () => {
    // An entry is live while its value still carries the entry's tag (as a lease carries its delivery count).
    const current = new Map<number, number>();
    const h = new MinHeap<number>((id, _key, tag) => current.get(id) === tag);
    for (let id = 0; id < 100_000; id++) {
      current.set(id, 1);
      h.push(100_000 - id, id, 1);
      if (id % 10 !== 0) current.delete(id); // nine in ten are settled before their key comes up
    }
    assert.ok(h.size <= 2 * current.size + 1024, `${h.size} entries held for ${current.size} live ones`);
    const popped: number[] = [];
    while (h.size > 0) {
      const tag = h.peekTag();
      const id = h.pop() as number;
      if (current.get(id) === tag) popped.push(id);
    }
    assert.deepEqual(popped, [...current.keys()].sort((a, b) => b - a), 'every live entry, highest id (smallest key) first');
  });
});

describe('Msg index entry', () => {
  it('keeps due times near and far from the send, and counts deliveries', async () => {
    const { Msg } = await import('../../src/backends/embedded/msg.js');
    const sent = 1_800_000_000_000;
    const m = new Msg(1, sent, sent + 500, sent + 4 * 86_400_000, 0, 3, 10, undefined);
    assert.equal(m.dueAt, sent + 500);
    assert.equal(m.priority, 3);
    m.dueAt = sent + 30 * 86_400_000; // a lease on a message redriven long after its send
    assert.equal(m.dueAt, sent + 30 * 86_400_000);
    m.dueAt = sent - 20 * 86_400_000;
    assert.equal(m.dueAt, sent - 20 * 86_400_000);
    m.dueAt = sent + 12;
    assert.equal(m.dueAt, sent + 12);
    for (let i = 0; i < 1000; i++) m.deliveryCount++;
    assert.equal(m.deliveryCount, 1000);
    assert.equal(m.priority, 3, 'the count does not spill into the other packed fields');
    m.deliveryCount = 2 ** 40;
    assert.equal(m.deliveryCount, 2 ** 23 - 1);
  });
});
