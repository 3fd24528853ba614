/**
 * docs/openapi.yaml against the routes the server really registers: the set of (method, path) under
 * `/v1` and `/healthz` must be the same in both, so neither can drift from the other. The app is
 * built exactly as `chute serve` builds it, on a real broker in a temporary directory.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { parse } from 'yaml';
import { openBroker } from '../../src/open-broker.js';
import { channelPath } from '../../src/protocols/http/channel.js';
import { buildApp } from '../../src/server/app.js';
import { defaultConfig } from '../../src/server/config.js';
import { repoRoot } from '../support/server-process.js';
import { tempDir } from '../support/temp.js';

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
}

const httpMethods = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

function loadSpec(): OpenApiDoc {
  return parse(fs.readFileSync(path.join(repoRoot, 'docs/openapi.yaml'), 'utf8')) as OpenApiDoc;
}

/** `GET /v1/queues/{queue}` for every operation of the document. */
function specRoutes(doc: OpenApiDoc): Set<string> {
  const out = new Set<string>();
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const method of Object.keys(item)) if (httpMethods.has(method)) out.add(`${method.toUpperCase()} ${p}`);
  }
  return out;
}

/** The same for every route the server registers under /v1 and /healthz (fastify's `:name` becomes `{name}`). */
async function serverRoutes(): Promise<Set<string>> {
  const dataDir = tempDir().path;
  const broker = await openBroker({ dataDir });
  const out = new Set<string>();
  try {
    const app = await buildApp({
      broker,
      config: { ...defaultConfig(), dataDir },
      logger: pino({ level: 'silent' }),
      onRoute: ({ method, url }) => {
        if (url !== '/healthz' && !url.startsWith('/v1/') && url !== '/v1') return;
        const openApiPath = url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
        // fastify adds HEAD for every GET by itself; the document describes the GET.
        for (const m of Array.isArray(method) ? method : [method]) if (m !== 'HEAD') out.add(`${m} ${openApiPath}`);
      },
    });
    await app.ready();
    // The channel is no fastify route: the server answers its WebSocket upgrade itself.
    if (app.server.listenerCount('upgrade') > 0) out.add(`GET ${channelPath}`);
    await app.close();
  } finally {
    await broker.close();
  }
  return out;
}

describe('docs/openapi.yaml', { timeout: 60_000 }, () => {
  it('describes exactly the routes the server registers', async () => {
    const documented = specRoutes(loadSpec());
    const registered = await serverRoutes();
    assert.ok(registered.size >= 20, `only ${registered.size} routes seen`);
    const undocumented = [...registered].filter((r) => !documented.has(r)).sort();
    const unserved = [...documented].filter((r) => !registered.has(r)).sort();
    assert.deepEqual(undocumented, [], 'routes the server has but the document lacks');
    assert.deepEqual(unserved, [], 'routes the document has but the server lacks');
  });

  it('is OpenAPI 3.1 with every $ref resolvable and every path parameter declared', () => {
    const doc = loadSpec();
    assert.equal(doc.openapi, '3.1.0');
    const text = JSON.stringify(doc);
    for (const [, ref] of text.matchAll(/"\$ref":"#\/([^"]+)"/g)) {
      let node: unknown = doc;
      for (const part of ref!.split('/')) node = (node as Record<string, unknown> | undefined)?.[part];
      assert.ok(node !== undefined, `unresolved $ref #/${ref}`);
    }
    const components = (doc as unknown as { components: { parameters: Record<string, { name: string; in: string }> } }).components;
    for (const [p, item] of Object.entries(doc.paths)) {
      const declared = new Set(
        ((item.parameters ?? []) as Array<{ $ref?: string; name?: string; in?: string }>)
          .map((prm) => (prm.$ref !== undefined ? components.parameters[prm.$ref.split('/').pop()!] : prm))
          .filter((prm) => prm?.in === 'path')
          .map((prm) => prm!.name),
      );
      for (const [, name] of p.matchAll(/\{([^}]+)\}/g)) assert.ok(declared.has(name!), `${p}: path parameter ${name} not declared`);
    }
  });
});
