// `npm start` from a fresh clone: installs dependencies from the lock file if they are missing,
// builds, and starts the broker (`chute serve`) with any arguments given after `--`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
if (!existsSync('node_modules/.package-lock.json')) run(npm, ['ci', '--no-audit', '--no-fund']);
run(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'packages/client', 'packages/server']);
const serve = spawnSync(process.execPath, ['packages/server/dist/cli/main.js', 'serve', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(serve.status ?? (serve.signal ? 1 : 0));
