import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Chute, ChuteError } from '../src/index.js';

// Nothing listens here: every check below must fail before a request is made.
const queue = new Chute({ url: 'http://127.0.0.1:9', maxRetries: 0 }).queue('jobs');

function isUnknownOption(name: string) {
  return (e: unknown): boolean => e instanceof ChuteError && e.code === 'InvalidArgument' && e.field === name && e.message.includes(`unknown`) && e.message.includes(`"${name}"`);
}

test('a misspelt send option is refused by name instead of being ignored', async () => {
  await assert.rejects(queue.send('later?', { delay: 60_000 } as never), isUnknownOption('delay'));
  await assert.rejects(queue.send('x', { prio: 3 } as never), isUnknownOption('prio'));
  const [outcome] = await queue.sendBatch([{ body: 'x', header: { a: 'b' } } as never]);
  assert.equal(outcome?.ok, false);
  assert.ok(outcome !== undefined && !outcome.ok && isUnknownOption('header')(outcome.error));
});

test('a misspelt receive or consume option is refused by name', async () => {
  await assert.rejects(queue.receive({ bogus: 1 } as never), isUnknownOption('bogus'));
  assert.throws(() => queue.consume(() => undefined, { concurency: 4 } as never), isUnknownOption('concurency'));
});

test('wrongly typed receive and consume options are refused by name, before any request', async () => {
  const invalid = (name: string) => (e: unknown): boolean => e instanceof ChuteError && e.code === 'InvalidArgument' && e.field === name;
  await assert.rejects(queue.receive({ waitMs: '1' } as never), invalid('waitMs'));
  await assert.rejects(queue.receive({ max: 0 }), invalid('max'));
  await assert.rejects(queue.receive({ autoAck: 'yes' } as never), invalid('autoAck'));
  assert.throws(() => queue.consume(() => undefined, { concurrency: '2' } as never), (e: unknown) => invalid('concurrency')(e) && (e as Error).message.includes('"2"'));
  assert.throws(() => queue.consume(() => undefined, { concurrency: 0 }), invalid('concurrency'));
  assert.throws(() => queue.consume(() => undefined, { concurrency: 4, maxInFlight: 2 }), invalid('maxInFlight'));
  assert.throws(() => queue.consume(() => undefined, { waitMs: -1 }), invalid('waitMs'));
});

test('a misspelt publish option is named as one, with routingKey among the known ones', async () => {
  const topic = new Chute({ url: 'http://127.0.0.1:9', maxRetries: 0 }).topic('orders');
  await assert.rejects(topic.publish('x', { routingkey: 'a' } as never), (e: unknown) => isUnknownOption('routingkey')(e) && (e as Error).message.includes('publish') && (e as Error).message.includes('routingKey'));
});
