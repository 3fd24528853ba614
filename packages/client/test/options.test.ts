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
