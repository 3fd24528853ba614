import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, parseDuration } from '../src/duration.js';

test('parses every unit', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('0s'), 0);
  assert.equal(parseDuration('1.5s'), 1_500);
  assert.equal(parseDuration(' 20s '), 20_000);
});

test('a bare whole number means milliseconds', () => {
  assert.equal(parseDuration('250'), 250);
  assert.throws(() => parseDuration('2.5'), /milliseconds/);
});

test('rejects anything else with the input in the message', () => {
  for (const bad of ['', 's', '-1s', '10d', '1 sec', 'abc', '1e3ms']) {
    assert.throws(() => parseDuration(bad), (e: unknown) => e instanceof RangeError && e.message.includes(`"${bad}"`));
  }
});

test('formats in the largest exact unit', () => {
  assert.equal(formatDuration(0), '0ms');
  assert.equal(formatDuration(500), '500ms');
  assert.equal(formatDuration(30_000), '30s');
  assert.equal(formatDuration(300_000), '5m');
  assert.equal(formatDuration(7_200_000), '2h');
  assert.equal(formatDuration(1_500), '1500ms');
});
