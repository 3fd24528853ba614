/**
 * The node flags of the broker: the command's first line gives them (`#!/usr/bin/env -S node
 * FLAGS`), which is how an installed `chute` runs, and the checkout's `./chute` script gives node
 * the same ones. The script is run on a stand-in for the built command that prints what node got,
 * so the check needs no build.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from '../support/server-process.js';
import { tempDir } from '../support/temp.js';

const firstLine = readFileSync(join(repoRoot, 'packages/server/src/cli/main.ts'), 'utf8').split('\n', 1)[0] ?? '';

describe('node flags of the chute command', () => {
  const dir = tempDir();
  after(() => dir.remove());

  it('the first line runs node through env -S with the heap flag', () => {
    assert.match(firstLine, /^#!\/usr\/bin\/env -S node( +\S+)+$/);
    assert.ok(firstLine.includes(' --initial-old-space-size=256'), firstLine);
  });

  it('./chute gives node the flags of that line, and the arguments after them', () => {
    copyFileSync(join(repoRoot, 'chute'), join(dir.path, 'chute'));
    const main = join(dir.path, 'packages/server/dist/cli/main.js');
    mkdirSync(join(dir.path, 'packages/server/dist/cli'), { recursive: true });
    writeFileSync(main, `${firstLine}\nconsole.log(JSON.stringify({ execArgv: process.execArgv, argv: process.argv.slice(2) }));\n`);
    const r = spawnSync('sh', [join(dir.path, 'chute'), 'serve', '--port', '0'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const seen = JSON.parse(r.stdout) as { execArgv: string[]; argv: string[] };
    assert.deepEqual(seen.execArgv, firstLine.replace('#!/usr/bin/env -S node', '').trim().split(/ +/));
    assert.deepEqual(seen.argv, ['serve', '--port', '0']);
  });
});
