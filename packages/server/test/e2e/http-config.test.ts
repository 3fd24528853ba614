/**
 * Configuration of `chute serve` as a user meets it: flags beat environment variables beat the
 * config file beat defaults; a mistake exits 2 with a message naming the field; a non-loopback
 * address without tokens is refused unless `--insecure`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { callApi, cliCommand, repoRoot, startServer } from '../support/server-process.js';
import { tempDir } from '../support/temp.js';

/** Runs `chute serve ...` expecting it to exit by itself; resolves with its exit code and output. */
async function serveExits(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dataDir = tempDir().path;
  const cmd = cliCommand(['serve', '--port', '0', '--data-dir', dataDir, ...args]);
  const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CHUTE_')));
  const proc = spawn(cmd.command, cmd.args, { cwd: repoRoot, env: { ...baseEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

function writeConfig(config: unknown): string {
  const file = path.join(tempDir('chute-config-').path, 'chute.json');
  fs.writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  return file;
}

describe('chute serve configuration', { timeout: 300_000 }, () => {
  it('prints where it listens and where its data is', async () => {
    const server = await startServer();
    try {
      assert.match(server.stdout(), /^chute listening on http:\/\/127\.0\.0\.1:\d+\n/);
      assert.ok(server.stdout().includes(`chute data in ${server.dataDir}\n`));
      assert.equal((await callApi(server.url, 'GET', '/healthz')).status, 200);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('flags beat environment variables beat the config file', async () => {
    const fromFile = await startServer({ config: { host: 'localhost' } });
    assert.match(fromFile.url, /^http:\/\/localhost:/);
    assert.equal(await fromFile.stop(), 0);

    const fromEnv = await startServer({ config: { host: 'localhost' }, env: { CHUTE_HOST: '127.0.0.2' } });
    assert.match(fromEnv.url, /^http:\/\/127\.0\.0\.2:/);
    assert.equal(await fromEnv.stop(), 0);

    const fromFlag = await startServer({ config: { host: 'localhost' }, env: { CHUTE_HOST: '127.0.0.2', CHUTE_PORT: '1' }, args: ['--host', '127.0.0.3'] });
    assert.match(fromFlag.url, /^http:\/\/127\.0\.0\.3:/);
    assert.notEqual(fromFlag.port, 1);
    assert.equal((await callApi(fromFlag.url, 'GET', '/healthz')).status, 200);
    assert.equal(await fromFlag.stop(), 0);
  });

  it('the config file can also be named by CHUTE_CONFIG', async () => {
    const server = await startServer({ env: { CHUTE_CONFIG: writeConfig({ host: 'localhost' }) } });
    assert.match(server.url, /^http:\/\/localhost:/);
    assert.equal(await server.stop(), 0);
  });

  it('a configuration mistake exits 2 naming the field', async () => {
    const cases: Array<{ args?: string[]; env?: Record<string, string>; field: string }> = [
      { args: ['--config', writeConfig({ tokens: [{ name: 'ci', token: 'short', permissions: [] }] })], field: 'tokens[0].token' },
      { args: ['--config', writeConfig({ tokens: [{ name: 'ci', token: 'long-enough-secret', permissions: [{ queues: '*', actions: ['fly'] }] }] })], field: 'tokens[0].permissions[0].actions[0]' },
      { args: ['--config', writeConfig({ limits: { bogus: 1 } })], field: 'limits.bogus' },
      { args: ['--config', writeConfig({ limits: { requestTimeoutMs: -5 } })], field: 'limits.requestTimeoutMs' },
      { args: ['--config', writeConfig({ port: 'seventy' })], field: 'port' },
      { args: ['--config', writeConfig('{ not json')], field: '--config' },
      { args: ['--config', '/nonexistent/chute.json'], field: '--config' },
      { args: ['--port', 'abc'], field: '--port' },
      { env: { CHUTE_LOG_LEVEL: 'loud' }, field: 'CHUTE_LOG_LEVEL' },
      { env: { CHUTE_INSECURE: 'maybe' }, field: 'CHUTE_INSECURE' },
    ];
    // A few at a time: each is a whole Node process compiling TypeScript on start.
    const results: Array<Awaited<ReturnType<typeof serveExits>>> = [];
    for (let i = 0; i < cases.length; i += 3) {
      results.push(...(await Promise.all(cases.slice(i, i + 3).map((c) => serveExits(c.args ?? [], c.env)))));
    }
    results.forEach((r, i) => {
      const { field } = cases[i]!;
      assert.equal(r.code, 2, `${field}: ${r.stderr}`);
      assert.ok(r.stderr.includes(`invalid configuration: ${field}:`), `${field}: ${r.stderr}`);
      assert.equal(r.stdout, '');
    });
  });

  it('refuses a non-loopback address without tokens, unless --insecure', async () => {
    const refused = await serveExits(['--host', '0.0.0.0']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--host.*no access tokens.*--insecure/);

    const insecure = await startServer({ args: ['--host', '0.0.0.0', '--insecure'] });
    try {
      assert.equal((await callApi(`http://127.0.0.1:${insecure.port}`, 'GET', '/healthz')).status, 200);
    } finally {
      assert.equal(await insecure.stop(), 0);
    }

    const withTokens = await startServer({
      args: ['--host', '0.0.0.0'],
      config: { tokens: [{ name: 'ci', token: 'a-long-secret-token', permissions: [{ queues: '*', actions: ['manage'] }] }] },
    });
    assert.equal(await withTokens.stop(), 0);
  });
});
