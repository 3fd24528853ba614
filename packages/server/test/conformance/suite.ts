/**
 * The conformance suite of queue semantics (docs/semantics.md), written once against BrokerApi.
 * Every backend runs this same file through its own factory; time is a ManualClock.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { BrokerApi } from '../../src/core/broker-api.js';
import { ManualClock } from '../../src/core/clock.js';
import { ChuteError, type ErrorCode } from '../../src/core/errors.js';
import type { QueueConfig, ReceivedMessage, SendInput } from '../../src/core/types.js';
import { randomName } from '../support/temp.js';

/** What a backend gives the suite. */
export interface SuiteHarness {
  broker: BrokerApi;
  clock: ManualClock;
  /** Closes and reopens the broker on the same storage (a clean restart). */
  restart: () => Promise<BrokerApi>;
  cleanup(): Promise<void>;
}

/** Options of one run of the suite. */
export interface SuiteOptions {
  /** Extra queue settings applied to every queue the suite creates (e.g. durable: false). */
  queueDefaults?: Partial<QueueConfig>;
}

const text = (s: string): Uint8Array => Buffer.from(s);
const bodyOf = (m: { body: Uint8Array }): string => Buffer.from(m.body).toString();
const msg = (s: string, extra: Partial<SendInput> = {}): SendInput => ({ body: text(s), ...extra });

/** Asserts that `p` rejects with a ChuteError of `code` (and the given field, if any). */
export async function rejectsWith(p: Promise<unknown>, code: ErrorCode, field?: string): Promise<ChuteError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ChuteError, `expected a ChuteError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (field !== undefined) assert.equal(e.field, field);
    return e;
  }
  assert.fail(`expected ${code}, but the call succeeded`);
}

/** Defines the whole suite for one backend. */
export function defineConformanceSuite(name: string, factory: () => Promise<SuiteHarness>, options: SuiteOptions = {}): void {
  describe(`conformance: ${name}`, () => {
    let h: SuiteHarness;
    let b: BrokerApi;
    let clock: ManualClock;
    const defaults = options.queueDefaults ?? {};

    before(async () => {
      h = await factory();
      b = h.broker;
      clock = h.clock;
    });
    after(async () => {
      await h.cleanup();
    });
    beforeEach(() => {
      b = h.broker;
    });

    const queue = async (config: Partial<QueueConfig> = {}, prefix = 'q'): Promise<string> => {
      const n = randomName(prefix);
      await b.createQueue(n, { ...defaults, ...config });
      return n;
    };
    const sendAll = async (q: string, bodies: string[], extra: Partial<SendInput> = {}): Promise<string[]> => {
      const results = await b.send(
        q,
        bodies.map((s) => msg(s, extra)),
      );
      return results.map((r) => {
        assert.ok(r.ok, 'send failed');
        return r.id;
      });
    };
    const receiveBodies = async (q: string, max = 10, extra = {}): Promise<ReceivedMessage[]> => b.receive(q, { max, waitMs: 0, ...extra });

    describe('queues', () => {
      it('creates, gets, lists, updates and deletes a queue', async () => {
        const q = await queue({ visibilityTimeoutMs: 5000 });
        const info = await b.getQueue(q);
        assert.equal(info.name, q);
        assert.equal(info.config.visibilityTimeoutMs, 5000);
        assert.equal(info.config.retentionMs, 4 * 24 * 3600 * 1000);
        assert.equal(info.config.maxMessageBytes, 1024 * 1024);
        assert.equal(info.config.dedupWindowMs, 5 * 60 * 1000);
        assert.ok((await b.listQueues({ prefix: q })).some((x) => x.name === q));
        const updated = await b.updateQueue(q, { visibilityTimeoutMs: 7000, delayMs: 1000 });
        assert.equal(updated.config.visibilityTimeoutMs, 7000);
        assert.equal((await b.getQueue(q)).config.delayMs, 1000);
        await b.deleteQueue(q);
        await rejectsWith(b.getQueue(q), 'QueueNotFound');
      });

      it('lists queues in name order with prefix and paging', async () => {
        const prefix = randomName('list');
        for (const n of ['c', 'a', 'b']) await b.createQueue(`${prefix}-${n}`, defaults);
        const first = await b.listQueues({ prefix, limit: 2 });
        assert.deepEqual(first.map((x) => x.name), [`${prefix}-a`, `${prefix}-b`]);
        const rest = await b.listQueues({ prefix, after: `${prefix}-b` });
        assert.deepEqual(rest.map((x) => x.name), [`${prefix}-c`]);
      });

      it('creating again with the same settings returns the queue; different settings fail', async () => {
        const q = await queue({ maxLength: 10 });
        assert.equal((await b.createQueue(q, { ...defaults, maxLength: 10 })).name, q);
        await rejectsWith(b.createQueue(q, { ...defaults, maxLength: 11 }), 'QueueAlreadyExists', 'maxLength');
      });

      it('refuses invalid names and settings, naming the field and the limit', async () => {
        const e = await rejectsWith(b.createQueue('bad name!'), 'InvalidQueueName', 'name');
        assert.match(e.message, /letters, digits/);
        await rejectsWith(b.createQueue('x'.repeat(81)), 'InvalidQueueName', 'name');
        const vt = await rejectsWith(b.createQueue(randomName(), { visibilityTimeoutMs: 12 * 3600 * 1000 + 1 }), 'InvalidArgument', 'visibilityTimeoutMs');
        assert.equal(vt.limit, 12 * 3600 * 1000);
        await rejectsWith(b.createQueue(randomName(), { retentionMs: 15 * 24 * 3600 * 1000 }), 'InvalidArgument', 'retentionMs');
        await rejectsWith(b.createQueue(randomName(), { delayMs: -1 }), 'InvalidArgument', 'delayMs');
        await rejectsWith(b.createQueue(randomName(), { overflow: 'explode' as never }), 'InvalidArgument', 'overflow');
        await rejectsWith(b.createQueue(randomName(), { nonsense: 1 } as never), 'InvalidArgument', 'nonsense');
        const q = await queue();
        await rejectsWith(b.updateQueue(q, { fifo: true }), 'InvalidArgument', 'fifo');
      });

      it('every operation on an unknown queue is QueueNotFound', async () => {
        const q = randomName('missing');
        await rejectsWith(b.getQueue(q), 'QueueNotFound');
        await rejectsWith(b.send(q, [msg('x')]), 'QueueNotFound');
        await rejectsWith(b.receive(q), 'QueueNotFound');
        await rejectsWith(b.ack(q, ['r']), 'QueueNotFound');
        await rejectsWith(b.nack(q, [{ receipt: 'r' }]), 'QueueNotFound');
        await rejectsWith(b.extend(q, [{ receipt: 'r', visibilityTimeoutMs: 1 }]), 'QueueNotFound');
        await rejectsWith(b.peek(q), 'QueueNotFound');
        await rejectsWith(b.purgeQueue(q), 'QueueNotFound');
        await rejectsWith(b.queueStats(q), 'QueueNotFound');
        await rejectsWith(b.deleteQueue(q), 'QueueNotFound');
      });

      it('purge removes ready, delayed and leased messages', async () => {
        const q = await queue();
        await sendAll(q, ['a', 'b']);
        await sendAll(q, ['later'], { delayMs: 60_000 });
        await receiveBodies(q, 1);
        assert.deepEqual(await b.purgeQueue(q), { purged: 3 });
        const s = await b.queueStats(q);
        assert.equal(s.total, 0);
        assert.equal(s.ready + s.leased + s.scheduled, 0);
        await clock.advance(61_000);
        assert.equal((await receiveBodies(q)).length, 0);
      });

      it('stats count ready, leased, scheduled, dead letters, the oldest age and totals', async () => {
        const dlq = await queue({}, 'dlq');
        const q = await queue({ maxDeliveries: 1, deadLetterQueue: dlq, visibilityTimeoutMs: 1000 });
        await sendAll(q, ['a', 'b', 'c']);
        await sendAll(q, ['d'], { delayMs: 5000 });
        await clock.advance(2000);
        const [first] = await receiveBodies(q, 1);
        let s = await b.queueStats(q);
        assert.equal(s.ready, 2);
        assert.equal(s.leased, 1);
        assert.equal(s.scheduled, 1);
        assert.equal(s.total, 4);
        assert.equal(s.bytes, 4);
        assert.equal(s.oldestReadyAgeMs, 2000);
        assert.equal(s.totals.sent, 4);
        assert.equal(s.totals.received, 1);
        assert.ok(first);
        await clock.advance(1000); // lease expires after 1 delivery: dead-lettered
        s = await b.queueStats(q);
        assert.equal(s.deadLettered, 1);
        assert.equal(s.totals.deadLettered, 1);
        assert.equal(s.totals.leaseExpired, 1);
        assert.equal(s.fifo, false);
      });
    });

    describe('sending', () => {
      it('stores a batch with per-entry results; one bad entry fails alone', async () => {
        const q = await queue({ maxMessageBytes: 10 });
        const results = await b.send(q, [
          { entryId: 'ok1', body: text('small') },
          { entryId: 'big', body: text('x'.repeat(11)) },
          { entryId: 'ok2', body: text('tiny'), priority: 12 },
          { entryId: 'ok3', body: text('fine') },
        ]);
        assert.equal(results.length, 4);
        assert.ok(results[0]?.ok);
        const big = results[1];
        assert.ok(big && !big.ok);
        assert.equal(big.entryId, 'big');
        assert.equal(big.error.code, 'MessageTooLarge');
        assert.equal(big.error.limit, 10);
        assert.equal(big.error.field, 'messages[1].body');
        const prio = results[2];
        assert.ok(prio && !prio.ok);
        assert.equal(prio.error.field, 'messages[2].priority');
        assert.ok(results[3]?.ok);
        assert.equal((await b.queueStats(q)).total, 2);
      });

      it('ids are unique and sort by enqueue order', async () => {
        const q = await queue();
        const ids = await sendAll(q, ['1', '2', '3']);
        await clock.advance(5);
        ids.push(...(await sendAll(q, ['4'])));
        assert.equal(new Set(ids).size, 4);
        assert.deepEqual([...ids].sort(), ids);
      });

      it('refuses bad batches as a whole and stores nothing', async () => {
        const q = await queue();
        await rejectsWith(b.send(q, []), 'EmptyBatch');
        const tooMany = await rejectsWith(b.send(q, Array.from({ length: 1001 }, () => msg('x'))), 'BatchTooLarge');
        assert.equal(tooMany.limit, 1000);
        await rejectsWith(b.send(q, [msg('a', { entryId: 'same' }), msg('b', { entryId: 'same' })]), 'BatchEntryIdsNotDistinct');
        await rejectsWith(b.send(q, [msg('a', { entryId: 'a:b' })]), 'InvalidBatchEntryId');
        assert.equal((await b.queueStats(q)).total, 0);
      });

      it('refuses out-of-range delays, headers and FIFO sends without a group', async () => {
        const q = await queue();
        const [r] = await b.send(q, [msg('x', { delayMs: 15 * 60 * 1000 + 1 })]);
        assert.ok(r && !r.ok);
        assert.equal(r.error.field, 'messages[0].delayMs');
        assert.equal(r.error.limit, 15 * 60 * 1000);
        const [h] = await b.send(q, [msg('x', { headers: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`h${i}`, 'v'])) })]);
        assert.ok(h && !h.ok);
        assert.equal(h.error.limit, 64);
        const fifo = await queue({ fifo: true });
        const [f] = await b.send(fifo, [msg('x')]);
        assert.ok(f && !f.ok);
        assert.equal(f.error.field, 'messages[0].groupId');
        assert.equal((await b.queueStats(q)).total + (await b.queueStats(fifo)).total, 0);
      });

      it('keeps body bytes and headers exactly', async () => {
        const q = await queue();
        const body = Uint8Array.from({ length: 256 }, (_, i) => i);
        await b.send(q, [{ body, headers: { s: 'text', n: 42.5, raw: Uint8Array.of(0, 255) } }]);
        const [m] = await receiveBodies(q);
        assert.ok(m);
        assert.deepEqual(Buffer.from(m.body), Buffer.from(body));
        assert.equal(m.headers.s, 'text');
        assert.equal(m.headers.n, 42.5);
        assert.deepEqual(Buffer.from(m.headers.raw as Uint8Array), Buffer.from([0, 255]));
      });
    });

    describe('receiving and leases', () => {
      it('a receive or peek stops once the bodies add up to receiveMaxBytes, with at least one message', async () => {
        const q = await queue({ maxMessageBytes: 16 * 1024 * 1024 });
        const big = (n: number): Uint8Array => new Uint8Array(6 * 1024 * 1024).fill(n);
        await b.send(q, [1, 2, 3, 4].map((n) => ({ body: big(n) })));
        // 6 + 6 + 6 MiB reaches the 16 MiB bound: three messages, the fourth stays ready.
        assert.equal((await b.peek(q, { max: 10 })).length, 3);
        const got = await b.receive(q, { max: 10, waitMs: 0 });
        assert.deepEqual(got.map((m) => m.body[0]), [1, 2, 3]);
        assert.equal((await b.queueStats(q)).ready, 1);
        const huge = await queue({ maxMessageBytes: 16 * 1024 * 1024 });
        await b.send(huge, [{ body: new Uint8Array(16 * 1024 * 1024) }]);
        assert.equal((await b.receive(huge, { max: 10, waitMs: 0 })).length, 1, 'a message over the bound still comes alone');
      });

      it('hands out by priority (9 first), then in enqueue order', async () => {
        const q = await queue();
        await sendAll(q, ['low-1']);
        await sendAll(q, ['high-1'], { priority: 9 });
        await sendAll(q, ['low-2']);
        await sendAll(q, ['mid'], { priority: 5 });
        await sendAll(q, ['high-2'], { priority: 9 });
        const got = await receiveBodies(q, 10);
        assert.deepEqual(got.map(bodyOf), ['high-1', 'high-2', 'mid', 'low-1', 'low-2']);
      });

      it('returns at most max messages, each leased once', async () => {
        const q = await queue();
        await sendAll(q, ['a', 'b', 'c']);
        const first = await receiveBodies(q, 2);
        const second = await receiveBodies(q, 2);
        assert.equal(first.length, 2);
        assert.equal(second.length, 1);
        assert.equal((await receiveBodies(q, 2)).length, 0);
        await rejectsWith(b.receive(q, { max: 1001 }), 'InvalidArgument', 'max');
        await rejectsWith(b.receive(q, { waitMs: 20_001 }), 'InvalidArgument', 'waitMs');
      });

      it('an expired lease makes the message ready again with its delivery count kept', async () => {
        const q = await queue({ visibilityTimeoutMs: 30_000 });
        await sendAll(q, ['a']);
        const [m1] = await receiveBodies(q);
        assert.equal(m1?.deliveryCount, 1);
        await clock.advance(29_999);
        assert.equal((await receiveBodies(q)).length, 0);
        await clock.advance(1);
        const [m2] = await receiveBodies(q);
        assert.equal(m2?.deliveryCount, 2);
        assert.equal(m2?.id, m1?.id);
      });

      it('a per-receive lease overrides the queue default', async () => {
        const q = await queue({ visibilityTimeoutMs: 30_000 });
        await sendAll(q, ['a']);
        const [m] = await receiveBodies(q, 1, { visibilityTimeoutMs: 2000 });
        assert.equal(m?.leaseExpiresAt, clock.now() + 2000);
        await clock.advance(2000);
        assert.equal((await receiveBodies(q)).length, 1);
      });

      it('ack removes for good; a stale receipt never settles a later lease', async () => {
        const q = await queue({ visibilityTimeoutMs: 1000 });
        await sendAll(q, ['a', 'b']);
        const [a, bm] = await receiveBodies(q, 2);
        assert.ok(a && bm);
        const [ok] = await b.ack(q, [a.receipt]);
        assert.ok(ok?.ok);
        const [again] = await b.ack(q, [a.receipt]);
        assert.ok(again && !again.ok);
        assert.equal(again.error.code, 'LeaseExpired');
        await clock.advance(1000);
        const [later] = await receiveBodies(q);
        assert.equal(later?.id, bm.id);
        const [stale] = await b.ack(q, [bm.receipt]);
        assert.ok(stale && !stale.ok);
        assert.equal(stale.error.code, 'LeaseExpired');
        assert.match(stale.error.message, /stale receipt/);
        const [staleExtend] = await b.extend(q, [{ receipt: bm.receipt, visibilityTimeoutMs: 5000 }]);
        assert.ok(staleExtend && !staleExtend.ok);
        assert.equal((await b.queueStats(q)).leased, 1);
        const [bogus] = await b.ack(q, ['not-a-receipt']);
        assert.ok(bogus && !bogus.ok);
        assert.equal(bogus.error.code, 'ReceiptInvalid');
        // Knowing one receipt does not let anyone write the receipt of another lease.
        const held = later as ReceivedMessage;
        const [seqPart, countPart] = held.receipt.split('.');
        const forged = `${seqPart}.${countPart}.${(a as ReceivedMessage).receipt.split('.')[2]}`;
        const [forgedAck] = await b.ack(q, [forged]);
        assert.ok(forgedAck && !forgedAck.ok);
        assert.equal(forgedAck.error.code, 'ReceiptInvalid');
        // Nor a delivery that has not happened yet, or a message that was never sent.
        const ahead = `${seqPart}.${(parseInt(countPart as string, 36) + 1).toString(36)}.${held.receipt.split('.')[2]}`;
        const [aheadAck] = await b.ack(q, [ahead]);
        assert.ok(aheadAck && !aheadAck.ok);
        assert.equal(aheadAck.error.code, 'ReceiptInvalid');
        const [unsentAck] = await b.ack(q, [`zzzzzzzzzz.1.${held.receipt.split('.')[2]}`]);
        assert.ok(unsentAck && !unsentAck.ok);
        assert.equal(unsentAck.error.code, 'ReceiptInvalid');
        assert.equal((await b.queueStats(q)).leased, 1);
        assert.ok((await b.ack(q, [(later as ReceivedMessage).receipt]))[0]?.ok);
        assert.equal((await b.queueStats(q)).total, 0);
      });

      it('acks a batch with a result per receipt', async () => {
        const q = await queue();
        await sendAll(q, ['a', 'b', 'c']);
        const got = await receiveBodies(q, 3);
        const results = await b.ack(q, [...got.map((m) => m.receipt), 'junk']);
        assert.deepEqual(
          results.map((r) => r.ok),
          [true, true, true, false],
        );
        assert.equal((await b.queueStats(q)).totals.acked, 3);
      });

      it('nack returns the message at once, or after its delay', async () => {
        const q = await queue();
        await sendAll(q, ['a']);
        const [m1] = await receiveBodies(q);
        await b.nack(q, [{ receipt: (m1 as ReceivedMessage).receipt }]);
        const [m2] = await receiveBodies(q);
        assert.equal(m2?.deliveryCount, 2);
        await b.nack(q, [{ receipt: (m2 as ReceivedMessage).receipt, delayMs: 5000 }]);
        assert.equal((await b.queueStats(q)).scheduled, 1);
        await clock.advance(4999);
        assert.equal((await receiveBodies(q)).length, 0);
        await clock.advance(1);
        assert.equal((await receiveBodies(q))[0]?.deliveryCount, 3);
        assert.equal((await b.queueStats(q)).totals.nacked, 2);
      });

      it('exponential backoff 1 s, 3 attempts gives retries at 1 s then 2 s', async () => {
        const q = await queue();
        await sendAll(q, ['job']);
        const start = clock.now();
        const attempts: number[] = [];
        for (let attempt = 1; attempt <= 3; attempt++) {
          // Poll in 100 ms steps until the retry shows up, recording when it did.
          let m: ReceivedMessage | undefined;
          for (let i = 0; i < 100 && m === undefined; i++) {
            [m] = await receiveBodies(q);
            if (m === undefined) await clock.advance(100);
          }
          assert.ok(m, `attempt ${attempt} never came`);
          attempts.push(clock.now() - start);
          if (attempt < 3) await b.nack(q, [{ receipt: m.receipt, delayMs: 1000 * 2 ** (attempt - 1) }]);
        }
        assert.deepEqual(attempts, [0, 1000, 3000]);
      });

      it('extend sets the lease end from the moment of the call, repeatedly', async () => {
        const q = await queue({ visibilityTimeoutMs: 1000 });
        await sendAll(q, ['a']);
        const [m] = await receiveBodies(q);
        assert.ok(m);
        await clock.advance(900);
        const [e1] = await b.extend(q, [{ receipt: m.receipt, visibilityTimeoutMs: 1000 }]);
        assert.ok(e1?.ok);
        assert.equal(e1.leaseExpiresAt, clock.now() + 1000);
        await clock.advance(900);
        assert.ok((await b.extend(q, [{ receipt: m.receipt, visibilityTimeoutMs: 500 }]))[0]?.ok);
        await clock.advance(499);
        assert.equal((await receiveBodies(q)).length, 0);
        await clock.advance(1);
        assert.equal((await receiveBodies(q)).length, 1);
        const [zero] = await b.extend(q, [{ receipt: 'x', visibilityTimeoutMs: 1 }]);
        assert.ok(zero && !zero.ok);
        await rejectsWith(b.extend(q, [{ receipt: m.receipt, visibilityTimeoutMs: 12 * 3600 * 1000 + 1 }]), 'InvalidArgument', 'entries[0].visibilityTimeoutMs');
      });

      it('extend to 0 hands the message back at once', async () => {
        const q = await queue();
        await sendAll(q, ['a']);
        const [m] = await receiveBodies(q);
        assert.ok((await b.extend(q, [{ receipt: (m as ReceivedMessage).receipt, visibilityTimeoutMs: 0 }]))[0]?.ok);
        assert.equal((await receiveBodies(q)).length, 1);
      });

      it('peek looks without leasing', async () => {
        const q = await queue();
        await sendAll(q, ['a', 'b', 'c']);
        const peeked = await b.peek(q, { max: 2 });
        assert.deepEqual(peeked.map(bodyOf), ['a', 'b']);
        const rest = await b.peek(q, { max: 10, afterSequence: peeked[1]?.sequence as string });
        assert.deepEqual(rest.map(bodyOf), ['c']);
        assert.ok(peeked.every((m) => m.deliveryCount === 0));
        assert.equal((await b.queueStats(q)).ready, 3);
        assert.equal((await receiveBodies(q, 3)).length, 3);
      });

      it('auto-ack receives are at-most-once: gone when handed out', async () => {
        const q = await queue();
        await sendAll(q, ['a', 'b']);
        const got = await b.receive(q, { max: 10, autoAck: true });
        assert.equal(got.length, 2);
        const s = await b.queueStats(q);
        assert.equal(s.total, 0);
        await clock.advance(60_000);
        assert.equal((await receiveBodies(q)).length, 0);
        const [late] = await b.ack(q, [(got[0] as ReceivedMessage).receipt]);
        assert.ok(late && !late.ok);
      });
    });

    describe('long polling', () => {
      it('waits and returns the moment a message is sent', async () => {
        const q = await queue();
        const poll = b.receive(q, { waitMs: 10_000 });
        await clock.advance(3000);
        await sendAll(q, ['hello']);
        const got = await poll;
        assert.deepEqual(got.map(bodyOf), ['hello']);
        assert.equal(clock.now() % 1, 0);
      });

      it('a long poll waiting 10 s returns at once when another consumer nacks', async () => {
        const q = await queue();
        await sendAll(q, ['a']);
        const [held] = await receiveBodies(q);
        let resolved = false;
        const poll = b.receive(q, { waitMs: 10_000 }).then((r) => {
          resolved = true;
          return r;
        });
        await clock.advance(1000);
        assert.equal(resolved, false);
        const before = clock.now();
        await b.nack(q, [{ receipt: (held as ReceivedMessage).receipt }]);
        const got = await poll;
        assert.equal(clock.now(), before, 'the poll must not wait for time to pass');
        assert.equal(got[0]?.deliveryCount, 2);
      });

      it('wakes when another consumer\u2019s lease expires', async () => {
        const q = await queue({ visibilityTimeoutMs: 2000 });
        await sendAll(q, ['a']);
        await receiveBodies(q);
        const poll = b.receive(q, { waitMs: 10_000 });
        await clock.advance(2000);
        assert.equal((await poll).length, 1);
      });

      it('returns empty when the wait ends; an explicit 0 returns at once', async () => {
        const q = await queue({ receiveWaitMs: 20_000 });
        assert.deepEqual(await b.receive(q, { waitMs: 0 }), []);
        const poll = b.receive(q, { waitMs: 5000 });
        await clock.advance(5000);
        assert.deepEqual(await poll, []);
        const byDefault = b.receive(q);
        let done = false;
        void byDefault.then(() => (done = true));
        await clock.advance(19_000);
        assert.equal(done, false);
        await clock.advance(1000);
        assert.deepEqual(await byDefault, []);
      });

      it('serves waiting polls in order and never hands one message to two polls', async () => {
        const q = await queue();
        const p1 = b.receive(q, { waitMs: 10_000 });
        const p2 = b.receive(q, { waitMs: 10_000 });
        await sendAll(q, ['one']);
        assert.deepEqual((await p1).map(bodyOf), ['one']);
        await sendAll(q, ['two']);
        assert.deepEqual((await p2).map(bodyOf), ['two']);
      });

      it('an aborted poll resolves empty and takes nothing', async () => {
        const q = await queue();
        const ac = new AbortController();
        const poll = b.receive(q, { waitMs: 10_000, signal: ac.signal });
        ac.abort();
        assert.deepEqual(await poll, []);
        await sendAll(q, ['x']);
        assert.equal((await b.queueStats(q)).ready, 1);
      });
    });

    describe('delays', () => {
      it('per-message and per-queue delays hold messages back', async () => {
        const q = await queue({ delayMs: 2000 });
        await sendAll(q, ['queue-delay']);
        await sendAll(q, ['own-delay'], { delayMs: 500 });
        await sendAll(q, ['no-delay'], { delayMs: 0 });
        assert.deepEqual((await receiveBodies(q)).map(bodyOf), ['no-delay']);
        assert.equal((await b.queueStats(q)).scheduled, 2);
        await clock.advance(500);
        assert.deepEqual((await receiveBodies(q)).map(bodyOf), ['own-delay']);
        await clock.advance(1500);
        assert.deepEqual((await receiveBodies(q)).map(bodyOf), ['queue-delay']);
      });

      it('a long poll wakes when a delay ends', async () => {
        const q = await queue();
        await sendAll(q, ['later'], { delayMs: 3000 });
        const poll = b.receive(q, { waitMs: 10_000 });
        await clock.advance(3000);
        assert.deepEqual((await poll).map(bodyOf), ['later']);
      });
    });

    describe('FIFO queues', () => {
      it('keeps strict order within a group', async () => {
        const q = await queue({ fifo: true });
        await sendAll(q, ['1', '2', '3', '4'], { groupId: 'g' });
        const got = await receiveBodies(q, 10);
        assert.deepEqual(got.map(bodyOf), ['1', '2', '3', '4']);
      });

      it('two concurrent receives on a group of 10 with max 5 get 5 and 0', async () => {
        const q = await queue({ fifo: true });
        await sendAll(q, Array.from({ length: 10 }, (_, i) => `m${i}`), { groupId: 'g' });
        const [r1, r2] = await Promise.all([receiveBodies(q, 5), receiveBodies(q, 5)]);
        assert.deepEqual(r1?.map(bodyOf), ['m0', 'm1', 'm2', 'm3', 'm4']);
        assert.equal(r2?.length, 0);
        await b.ack(q, (r1 as ReceivedMessage[]).map((m) => m.receipt));
        assert.deepEqual((await receiveBodies(q, 5)).map(bodyOf), ['m5', 'm6', 'm7', 'm8', 'm9']);
      });

      it('a group stays blocked while any of its messages is leased; others flow', async () => {
        const q = await queue({ fifo: true, visibilityTimeoutMs: 1000 });
        await sendAll(q, ['a1', 'a2'], { groupId: 'a' });
        await sendAll(q, ['b1', 'b2'], { groupId: 'b' });
        const [a1] = await receiveBodies(q, 1);
        assert.equal(bodyOf(a1 as ReceivedMessage), 'a1');
        const next = await receiveBodies(q, 10);
        assert.deepEqual(next.map(bodyOf), ['b1', 'b2']);
        assert.equal((await receiveBodies(q, 10)).length, 0);
        await clock.advance(1000); // both leases expire: a1 comes back first, before a2
        const again = await receiveBodies(q, 1);
        assert.deepEqual(again.map(bodyOf), ['a1']);
      });

      it('a nack with delay keeps the group blocked until the retry', async () => {
        const q = await queue({ fifo: true });
        await sendAll(q, ['1', '2'], { groupId: 'g' });
        const [m1] = await receiveBodies(q, 1);
        await b.nack(q, [{ receipt: (m1 as ReceivedMessage).receipt, delayMs: 1000 }]);
        assert.equal((await receiveBodies(q, 10)).length, 0);
        await clock.advance(1000);
        assert.deepEqual((await receiveBodies(q, 10)).map(bodyOf), ['1', '2']);
      });

      it('refuses priorities on FIFO queues', async () => {
        const q = await queue({ fifo: true });
        const [r] = await b.send(q, [msg('x', { groupId: 'g', priority: 3 })]);
        assert.ok(r && !r.ok);
        assert.equal(r.error.field, 'messages[0].priority');
      });
    });

    describe('deduplication', () => {
      it('a duplicate returns the first id and stores nothing, also after the first was acked, until the window ends', async () => {
        const q = await queue();
        const [first] = await b.send(q, [msg('a', { dedupId: 'order-1' })]);
        assert.ok(first?.ok && !first.duplicate);
        const [dup] = await b.send(q, [msg('different body', { dedupId: 'order-1' })]);
        assert.ok(dup?.ok);
        assert.equal(dup.duplicate, true);
        assert.equal(dup.id, first.id);
        assert.equal((await b.queueStats(q)).total, 1);
        const [m] = await receiveBodies(q);
        await b.ack(q, [(m as ReceivedMessage).receipt]);
        await clock.advance(4 * 60 * 1000);
        const [afterAck] = await b.send(q, [msg('a', { dedupId: 'order-1' })]);
        assert.ok(afterAck?.ok && afterAck.duplicate);
        assert.equal(afterAck.id, first.id);
        assert.equal((await b.queueStats(q)).total, 0);
        await clock.advance(60 * 1000);
        const [fresh] = await b.send(q, [msg('a', { dedupId: 'order-1' })]);
        assert.ok(fresh?.ok && !fresh.duplicate);
        assert.notEqual(fresh.id, first.id);
        assert.equal((await b.queueStats(q)).totals.deduplicated, 2);
      });

      it('content-based dedup uses the body hash', async () => {
        const q = await queue({ contentBasedDedup: true });
        const r = await b.send(q, [msg('same'), msg('same'), msg('other')]);
        assert.deepEqual(
          r.map((x) => x.ok && x.duplicate),
          [false, true, false],
        );
        assert.equal((await b.queueStats(q)).total, 2);
      });
    });

    describe('expiry', () => {
      it('a message past its TTL is dropped', async () => {
        const q = await queue();
        await sendAll(q, ['short'], { ttlMs: 1000 });
        await sendAll(q, ['long']);
        await clock.advance(1000);
        assert.deepEqual((await receiveBodies(q, 10)).map(bodyOf), ['long']);
        assert.equal((await b.queueStats(q)).totals.expired, 1);
      });

      it('retention drops old messages, or dead-letters them when the queue says so', async () => {
        const dlq = await queue({}, 'dlq');
        const q = await queue({ retentionMs: 60_000, expiry: 'dead-letter', deadLetterQueue: dlq });
        const plain = await queue({ retentionMs: 60_000 });
        await sendAll(q, ['old']);
        await sendAll(plain, ['old']);
        await clock.advance(60_000);
        assert.equal((await b.queueStats(q)).total, 0);
        assert.equal((await b.queueStats(plain)).total, 0);
        const [dead] = await receiveBodies(dlq);
        assert.equal(dead?.deadLetter?.reason, 'expired');
        assert.equal(dead?.deadLetter?.sourceQueue, q);
      });
    });

    describe('dead letters', () => {
      it('a message never acked is seen exactly maxDeliveries times, then sits in the dead-letter queue', async () => {
        const dlq = await queue({}, 'dlq');
        const q = await queue({ maxDeliveries: 3, deadLetterQueue: dlq, visibilityTimeoutMs: 1000 });
        const [id] = await sendAll(q, ['poison'], { headers: { kind: 'test' } });
        let seen = 0;
        for (let i = 0; i < 10; i++) {
          seen += (await receiveBodies(q)).length;
          await clock.advance(1000);
        }
        assert.equal(seen, 3);
        assert.equal((await b.queueStats(q)).total, 0);
        const [dead] = await b.peek(dlq);
        assert.equal(dead?.id, id);
        assert.equal(bodyOf(dead as { body: Uint8Array }), 'poison');
        assert.equal(dead?.headers.kind, 'test');
        assert.equal(dead?.deliveryCount, 3);
        assert.equal(dead?.deadLetter?.reason, 'maxDeliveries');
        assert.equal(dead?.deadLetter?.sourceQueue, q);
      });

      it('nacks count toward maxDeliveries too', async () => {
        const dlq = await queue({}, 'dlq');
        const q = await queue({ maxDeliveries: 2, deadLetterQueue: dlq });
        await sendAll(q, ['x']);
        for (let i = 0; i < 2; i++) {
          const [m] = await receiveBodies(q);
          await b.nack(q, [{ receipt: (m as ReceivedMessage).receipt }]);
        }
        assert.equal((await b.queueStats(dlq)).ready, 1);
      });

      it('redrive moves dead letters back to their source, or to a named queue', async () => {
        const dlq = await queue({}, 'dlq');
        const q = await queue({ maxDeliveries: 1, deadLetterQueue: dlq, visibilityTimeoutMs: 1000 });
        const other = await queue({}, 'other');
        await sendAll(q, ['a', 'b', 'c']);
        await receiveBodies(q, 3);
        await clock.advance(1000);
        assert.equal((await b.queueStats(dlq)).ready, 3);
        assert.deepEqual(await b.redrive(dlq, { max: 2 }), { moved: 2 });
        const back = await receiveBodies(q, 10);
        assert.deepEqual(back.map(bodyOf), ['a', 'b']);
        assert.ok(back.every((m) => m.deliveryCount === 1 && m.deadLetter === undefined));
        assert.deepEqual(await b.redrive(dlq, { to: other }), { moved: 1 });
        assert.deepEqual((await receiveBodies(other)).map(bodyOf), ['c']);
        await rejectsWith(b.redrive(dlq, { to: randomName('missing') }), 'QueueNotFound', 'to');
      });

      it('refuses a missing dead-letter queue, a cycle, and deleting a queue still used as one', async () => {
        await rejectsWith(b.createQueue(randomName(), { maxDeliveries: 3, deadLetterQueue: randomName('nope') }), 'QueueNotFound', 'deadLetterQueue');
        await rejectsWith(b.createQueue(randomName(), { maxDeliveries: 3 }), 'InvalidArgument', 'deadLetterQueue');
        const a = await queue({}, 'a');
        const c = await queue({ maxDeliveries: 2, deadLetterQueue: a }, 'c');
        await rejectsWith(b.updateQueue(a, { maxDeliveries: 2, deadLetterQueue: c }), 'DeadLetterCycle', 'deadLetterQueue');
        await rejectsWith(b.updateQueue(a, { maxDeliveries: 2, deadLetterQueue: a }), 'DeadLetterCycle');
        await rejectsWith(b.deleteQueue(a), 'QueueInUse');
        assert.deepEqual(await b.deadLetterSources(a), [c]);
      });
    });

    describe('limits and overflow', () => {
      it('reject: a full queue refuses new sends with a retryable QueueFull', async () => {
        const q = await queue({ maxLength: 2 });
        const results = await b.send(q, [msg('1'), msg('2'), msg('3')]);
        const third = results[2];
        assert.ok(third && !third.ok);
        assert.equal(third.error.code, 'QueueFull');
        assert.equal(third.error.retryable, true);
        assert.equal(third.error.limit, 2);
        assert.equal((await b.queueStats(q)).total, 2);
      });

      it('maxBytes bounds the bytes held', async () => {
        const q = await queue({ maxBytes: 10 });
        const r = await b.send(q, [msg('12345'), msg('67890'), msg('x')]);
        assert.deepEqual(
          r.map((x) => x.ok),
          [true, true, false],
        );
      });

      it('drop-oldest makes room by dropping the oldest ready message', async () => {
        const q = await queue({ maxLength: 2, overflow: 'drop-oldest' });
        for (const body of ['1', '2', '3']) await sendAll(q, [body]);
        assert.deepEqual((await receiveBodies(q, 10)).map(bodyOf), ['2', '3']);
        assert.equal((await b.queueStats(q)).totals.dropped, 1);
      });

      it('dead-letter-oldest moves the oldest to the dead-letter queue', async () => {
        const dlq = await queue({}, 'dlq');
        const q = await queue({ maxLength: 1, overflow: 'dead-letter-oldest', deadLetterQueue: dlq });
        for (const body of ['1', '2']) await sendAll(q, [body]);
        const [dead] = await receiveBodies(dlq);
        assert.equal(bodyOf(dead as ReceivedMessage), '1');
        assert.equal(dead?.deadLetter?.reason, 'overflow');
      });
    });

    describe('topics', () => {
      it('creates, lists and deletes topics and subscriptions', async () => {
        const t = randomName('topic');
        await b.createTopic(t);
        assert.equal((await b.createTopic(t)).name, t);
        const q = await queue();
        await b.subscribe(t, q, { routingKey: 'a.*' });
        assert.equal((await b.getTopic(t)).subscriptions[0]?.queue, q);
        assert.ok((await b.listTopics({ prefix: t })).some((x) => x.name === t));
        await b.unsubscribe(t, q);
        await rejectsWith(b.unsubscribe(t, q), 'SubscriptionNotFound');
        await b.deleteTopic(t);
        await rejectsWith(b.getTopic(t), 'TopicNotFound');
        await rejectsWith(b.publish(t, { body: text('x') }), 'TopicNotFound');
        await rejectsWith(b.subscribe(randomName('nope'), q), 'TopicNotFound');
      });

      it('publish copies to every matching queue: routing patterns with * and #, and header equality', async () => {
        const t = randomName('topic');
        await b.createTopic(t);
        const all = await queue({}, 'all');
        const star = await queue({}, 'star');
        const hash = await queue({}, 'hash');
        const eu = await queue({}, 'eu');
        await b.subscribe(t, all);
        await b.subscribe(t, star, { routingKey: 'order.*' });
        await b.subscribe(t, hash, { routingKey: 'order.#' });
        await b.subscribe(t, eu, { headers: { region: 'eu' } });
        const r1 = await b.publish(t, { body: text('created'), routingKey: 'order.created', headers: { region: 'us' } });
        assert.deepEqual(r1.deliveredTo.map((d) => d.queue).sort(), [all, hash, star].sort());
        const r2 = await b.publish(t, { body: text('shipped'), routingKey: 'order.shipped.eu', headers: { region: 'eu' } });
        assert.deepEqual(r2.deliveredTo.map((d) => d.queue).sort(), [all, eu, hash].sort());
        const r3 = await b.publish(t, { body: text('bare'), routingKey: 'order' });
        assert.deepEqual(r3.deliveredTo.map((d) => d.queue).sort(), [all, hash].sort());
        assert.equal((await b.queueStats(star)).total, 1);
        assert.equal((await b.queueStats(hash)).total, 3);
        assert.equal((await b.queueStats(eu)).total, 1);
        // Every copy carries the same body and headers, each under its own id.
        const copies = await Promise.all([all, hash, eu].map((q) => receiveBodies(q, 10)));
        assert.deepEqual(copies[0]?.map(bodyOf), ['created', 'shipped', 'bare']);
        assert.deepEqual(copies[1]?.map(bodyOf), ['created', 'shipped', 'bare']);
        assert.deepEqual(copies[2]?.map(bodyOf), ['shipped']);
        assert.equal(copies[2]?.[0]?.headers.region, 'eu');
        assert.equal(new Set(copies.flat().map((m) => m.id)).size, 7);
      });

      it('publish is atomic: when one matching queue refuses, none gets the message', async () => {
        const t = randomName('topic');
        await b.createTopic(t);
        const open = await queue({}, 'open');
        const full = await queue({ maxLength: 1 }, 'full');
        await b.subscribe(t, open);
        await b.subscribe(t, full);
        await b.publish(t, { body: text('first') });
        await rejectsWith(b.publish(t, { body: text('second') }), 'QueueFull');
        assert.equal((await b.queueStats(open)).total, 1);
        assert.equal((await b.queueStats(full)).total, 1);
      });

      it('publishMany keeps the order of the list in each queue, and each message succeeds or fails alone', async () => {
        const t = randomName('topic');
        await b.createTopic(t);
        const all = await queue({}, 'all');
        const eu = await queue({ maxLength: 2 }, 'eu');
        await b.subscribe(t, all);
        await b.subscribe(t, eu, { routingKey: 'eu.*' });
        const keys = ['eu.a', 'us.b', 'eu.c', 'us.d', 'eu.e', 'us.f'];
        const outcomes = await b.publishMany(
          t,
          keys.map((k) => ({ body: text(k), routingKey: k })),
        );
        // The third eu message does not fit in eu (maxLength 2), so it reaches neither queue.
        assert.deepEqual(
          outcomes.map((o) => o.status),
          ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
        );
        assert.deepEqual((await receiveBodies(all, 10)).map(bodyOf), ['eu.a', 'us.b', 'eu.c', 'us.d', 'us.f']);
        assert.deepEqual((await receiveBodies(eu, 10)).map(bodyOf), ['eu.a', 'eu.c']);
      });

      it('deleting a queue removes its subscriptions', async () => {
        const t = randomName('topic');
        await b.createTopic(t);
        const q = await queue();
        await b.subscribe(t, q);
        await b.deleteQueue(q);
        assert.equal((await b.getTopic(t)).subscriptions.length, 0);
      });
    });

    describe('consumers', () => {
      it('lists consumers that are long-polling', async () => {
        const q = await queue();
        const poll = b.receive(q, { waitMs: 5000, consumer: 'worker-1' });
        await clock.advance(1);
        const listed = b.listConsumers(q);
        assert.equal(listed[0]?.consumer, 'worker-1');
        assert.equal(listed[0]?.waiting, 1);
        await clock.advance(5000);
        await poll;
        assert.equal(b.listConsumers(q)[0]?.waiting, 0);
      });
    });

    describe('restart', () => {
      it('a waiting poll gets a message before its send is confirmed; an ack of it stays after a restart', async () => {
        const q = await queue();
        const poll = b.receive(q, { waitMs: 10_000 });
        let confirmed = false;
        const sending = b.send(q, [msg('early')]).then((results) => {
          confirmed = true;
          return results;
        });
        const [got] = await poll;
        assert.equal(bodyOf(got as ReceivedMessage), 'early');
        // A durable send is confirmed only once its commit is flushed; the poll does not wait for that.
        if (defaults.durable !== false) assert.equal(confirmed, false, 'the poll was answered before the send was confirmed');
        const [acked] = await b.ack(q, [(got as ReceivedMessage).receipt]);
        assert.ok(acked?.ok);
        assert.ok((await sending)[0]?.ok);
        b = await h.restart();
        assert.equal((await b.queueStats(q)).total, 0, 'the acked message stays gone');
      });

      it('a durable queue keeps order, delays, delivery counts and dedup state; a non-durable one comes back empty', async () => {
        if (defaults.durable === false) {
          const q = await queue();
          await sendAll(q, ['a', 'b']);
          b = await h.restart();
          const s = await b.queueStats(q);
          assert.equal(s.durable, false);
          assert.equal(s.total, 0, 'a non-durable queue keeps its settings but not its messages');
          return;
        }
        const q = await queue({ visibilityTimeoutMs: 60_000 });
        const fifo = await queue({ fifo: true });
        await sendAll(q, ['a', 'b', 'c']);
        await sendAll(q, ['delayed'], { delayMs: 10_000 });
        await sendAll(q, ['dedup'], { dedupId: 'd-1' });
        await sendAll(fifo, ['f1', 'f2', 'f3'], { groupId: 'g' });
        const [leased] = await receiveBodies(q, 1);
        assert.equal(bodyOf(leased as ReceivedMessage), 'a');
        b = await h.restart();
        const [dup] = await b.send(q, [msg('dedup', { dedupId: 'd-1' })]);
        assert.ok(dup?.ok && dup.duplicate);
        const s = await b.queueStats(q);
        assert.equal(s.total, 5);
        assert.equal(s.scheduled, 1);
        assert.equal(s.leased, 0, 'leases end with the process');
        const got = await receiveBodies(q, 10);
        assert.deepEqual(got.map(bodyOf), ['a', 'b', 'c', 'dedup']);
        assert.equal(got[0]?.deliveryCount, 2, 'the delivery count survives');
        await clock.advance(10_000);
        assert.deepEqual((await receiveBodies(q)).map(bodyOf), ['delayed']);
        assert.deepEqual((await receiveBodies(fifo, 10)).map(bodyOf), ['f1', 'f2', 'f3']);
        const [stale] = await b.ack(q, [(leased as ReceivedMessage).receipt]);
        assert.ok(stale && !stale.ok);
      });
    });
  });
}
