// Runs every test of the repository: type-check, then node's test runner over all *.test.ts files
// (TypeScript executed through tsx, packages resolved to their sources via the "development"
// condition). Pass file paths to run only those, without the type-check.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['packages/server/test', 'packages/client/test', 'bench/test'];

function findTests(dir) {
  let out = [];
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(findTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

// The AWS SDK (a dev dependency, the SQS tests' reference client) warns on Node.js 20 that its
// releases after January 2027 will need Node.js 22; the pinned one runs on 20, which Chute supports.
const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const selected = process.argv.slice(2);
if (selected.length === 0) {
  console.log('type-checking ...');
  run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
}
const files = selected.length > 0 ? selected : roots.flatMap(findTests).sort();
run(process.execPath, [
  '--conditions=development',
  '--import',
  'tsx',
  '--test',
  '--test-concurrency=2',
  '--test-reporter=spec',
  ...files,
]);
