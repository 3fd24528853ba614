// `npm start` from a fresh clone: installs dependencies from the lock file if they are missing,
// builds, and starts the broker (`chute serve`) with any arguments given after `--`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
if (!existsSync('node_modules/.package-lock.json')) run(npm, ['ci', '--no-audit', '--no-fund']);
run(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'packages/client', 'packages/server']);
const main = 'packages/server/dist/cli/main.js';
// Node gets the flags on the command's first line (#!/usr/bin/env -S node FLAGS), as the installed
// `chute` does.
const shebang = /^#!\/usr\/bin\/env -S node((?: +\S+)*)$/.exec(readFileSync(main, 'utf8').split('\n', 1)[0]);
const nodeFlags = shebang === null ? [] : shebang[1].split(' ').filter((f) => f !== '');
// The broker runs in its own process group and this script hands it each stop signal exactly
// once: a supervisor that signals only this process (or npm, which passes it on) would otherwise
// leave the broker running, and a terminal's Ctrl-C, which reaches the whole group, would reach
// the broker twice, which it takes as "stop now without waiting".
const serve = spawn(process.execPath, [...nodeFlags, main, 'serve', ...process.argv.slice(2)], { stdio: 'inherit', detached: true });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => serve.kill(signal));
serve.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
