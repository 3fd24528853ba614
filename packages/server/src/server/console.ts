/**
 * The web console: a small preact + htm application (no build step) served by the broker itself.
 *
 * The page at `GET /` loads its own modules from `/console/` and its libraries (preact, htm, uPlot)
 * from `/console/vendor/`, copied out of node_modules at start. It talks to the broker only through
 * the native HTTP API under `/v1`, like any other client, so it needs no routes of its own beyond
 * these static files and makes no request to any other host.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Options of {@link registerConsole}. */
export interface ConsoleOptions {
  /** URL path the console is mounted at, ending with `/`; default `/`. */
  basePath?: string;
}

/** A file held in memory, ready to send. */
interface Asset {
  contentType: string;
  body: Buffer;
}

/** The console's own sources: `packages/server/console/`, two levels up from both src/server and dist/server. */
const consoleDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../console');

/**
 * Library files the console imports, by the name it asks for under `/console/vendor/`. Each is
 * located next to the file its package resolves to, so that the package's own layout decides.
 */
const vendorFiles: Array<{ name: string; resolve: string; file: string }> = [
  { name: 'preact.mjs', resolve: 'preact', file: 'preact.mjs' },
  { name: 'hooks.mjs', resolve: 'preact/hooks', file: 'hooks.mjs' },
  { name: 'htm.mjs', resolve: 'htm', file: 'htm.mjs' },
  { name: 'uPlot.esm.js', resolve: 'uplot/dist/uPlot.esm.js', file: 'uPlot.esm.js' },
  { name: 'uPlot.min.css', resolve: 'uplot/dist/uPlot.min.css', file: 'uPlot.min.css' },
];

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

function contentTypeOf(file: string): string | undefined {
  return contentTypes[path.extname(file)];
}

/** Reads every servable file of the console directory (no subdirectories, known types only). */
function loadOwnAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of fs.readdirSync(consoleDir)) {
    const contentType = contentTypeOf(name);
    const full = path.join(consoleDir, name);
    if (contentType === undefined || name === 'index.html' || !fs.statSync(full).isFile()) continue;
    assets.set(name, { contentType, body: fs.readFileSync(full) });
  }
  return assets;
}

/** Reads the library files out of node_modules. */
function loadVendorAssets(): Map<string, Asset> {
  const require = createRequire(import.meta.url);
  const assets = new Map<string, Asset>();
  for (const v of vendorFiles) {
    const full = path.join(path.dirname(require.resolve(v.resolve)), v.file);
    assets.set(v.name, { contentType: contentTypeOf(v.file) ?? 'application/octet-stream', body: fs.readFileSync(full) });
  }
  return assets;
}

/**
 * Fills the page template with the mount path and returns it with the Content-Security-Policy that
 * allows exactly its one inline script (the import map) and nothing from other origins.
 */
function buildIndex(basePath: string): { html: string; csp: string } {
  const template = fs.readFileSync(path.join(consoleDir, 'index.html'), 'utf8');
  const importMap = JSON.stringify({
    imports: {
      preact: `${basePath}console/vendor/preact.mjs`,
      'preact/hooks': `${basePath}console/vendor/hooks.mjs`,
      htm: `${basePath}console/vendor/htm.mjs`,
      uplot: `${basePath}console/vendor/uPlot.esm.js`,
    },
  });
  const html = template.replaceAll('{{base}}', basePath).replace('{{importmap}}', importMap);
  const hash = createHash('sha256').update(importMap).digest('base64');
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'sha256-${hash}'`,
    // uPlot positions its cursor and legend through inline styles.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, csp };
}

function sendAsset(reply: FastifyReply, asset: Asset): FastifyReply {
  // The files change only with a new broker version; revalidating each load is cheap on loopback.
  return reply.header('content-type', asset.contentType).header('cache-control', 'no-cache').send(asset.body);
}

/** Serves the console page at `basePath` and its files under `basePath + "console/"`. */
export async function registerConsole(app: FastifyInstance, opts: ConsoleOptions = {}): Promise<void> {
  const basePath = opts.basePath ?? '/';
  if (!basePath.startsWith('/') || !basePath.endsWith('/')) {
    throw new Error(`console basePath must start and end with "/", got ${JSON.stringify(basePath)}`);
  }
  const own = loadOwnAssets();
  const vendor = loadVendorAssets();
  const index = buildIndex(basePath);

  app.get(basePath, async (_request, reply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', index.csp)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache')
      .send(index.html),
  );
  app.get<{ Params: { file: string } }>(`${basePath}console/:file`, async (request, reply) => {
    const asset = own.get(request.params.file);
    return asset === undefined ? reply.callNotFound() : sendAsset(reply, asset);
  });
  app.get<{ Params: { file: string } }>(`${basePath}console/vendor/:file`, async (request, reply) => {
    const asset = vendor.get(request.params.file);
    return asset === undefined ? reply.callNotFound() : sendAsset(reply, asset);
  });
}
