import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filterMatches, routingKeyMatches } from '../../src/core/routing.js';

describe('routing-key patterns', () => {
  const cases: Array<[string, string, boolean]> = [
    ['order.created', 'order.created', true],
    ['order.created', 'order.deleted', false],
    ['order.*', 'order.created', true],
    ['order.*', 'order', false],
    ['order.*', 'order.created.eu', false],
    ['order.#', 'order', true],
    ['order.#', 'order.created.eu', true],
    ['#', '', true],
    ['#', 'a.b.c', true],
    ['*.created', 'order.created', true],
    ['#.eu', 'order.created.eu', true],
    ['#.eu', 'eu', true],
    ['a.#.z', 'a.z', true],
    ['a.#.z', 'a.b.c.z', true],
    ['a.#.z', 'a.b.c', false],
    ['*', '', false],
  ];
  for (const [pattern, key, expected] of cases) {
    it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(key)}`, () => {
      assert.equal(routingKeyMatches(pattern, key), expected);
    });
  }

  it('header filters need every listed header with an equal value', () => {
    assert.equal(filterMatches({ headers: { region: 'eu', tier: 1 } }, 'x', { region: 'eu', tier: 1, other: 'y' }), true);
    assert.equal(filterMatches({ headers: { region: 'eu' } }, 'x', { region: 'us' }), false);
    assert.equal(filterMatches({ headers: { tier: 1 } }, 'x', { tier: '1' }), false);
    assert.equal(filterMatches({ headers: { region: 'eu' } }, 'x', {}), false);
    assert.equal(filterMatches({ routingKey: 'a.*', headers: { r: 'eu' } }, 'a.b', { r: 'eu' }), true);
    assert.equal(filterMatches({}, 'anything', {}), true);
  });
});
