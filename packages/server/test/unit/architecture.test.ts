/**
 * Keeps the dependency rules of DESIGN.md: no import cycles, and layers depend one way only
 * (core <- backends <- protocols <- server <- cli); the client SDK never imports the server.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { parseCircular, parseDependencyTree, type DependencyTree } from 'dpdm';

const root = fileURLToPath(new URL('../../../..', import.meta.url));

/** What each layer of packages/server/src may import, besides itself. */
const allowed: Record<string, string[]> = {
  core: [],
  backends: ['core'],
  protocols: ['core'],
  server: ['core', 'backends', 'protocols', 'open-broker.ts'],
  cli: ['core', 'backends', 'protocols', 'server', 'open-broker.ts', 'index.ts'],
};

function layerOf(path: string): string | undefined {
  const m = /^packages\/server\/src\/([^/]+)/.exec(path);
  return m?.[1];
}

describe('architecture', () => {
  let tree: DependencyTree;
  before(async () => {
    tree = await parseDependencyTree(['packages/server/src/**/*.ts', 'packages/client/src/**/*.ts'], {
      cwd: root,
      context: root,
      tsconfig: `${root}/tsconfig.json`,
      transform: true,
    });
  });

  it('has no import cycles', () => {
    assert.deepEqual(parseCircular(tree), []);
  });

  it('layers of the server depend one way only', () => {
    const violations: string[] = [];
    for (const [file, deps] of Object.entries(tree)) {
      const from = layerOf(file);
      if (from === undefined || allowed[from] === undefined) continue;
      for (const dep of deps ?? []) {
        if (dep.id === null || !dep.id.startsWith('packages/server/src/')) continue;
        const to = layerOf(dep.id) as string;
        if (to !== from && !(allowed[from] as string[]).includes(to)) violations.push(`${file} imports ${dep.id}`);
      }
    }
    assert.deepEqual(violations, []);
  });

  it('the client SDK does not import the server', () => {
    const violations = Object.entries(tree)
      .filter(([file]) => file.startsWith('packages/client/'))
      .flatMap(([file, deps]) => (deps ?? []).filter((d) => d.id?.startsWith('packages/server/') === true || d.request === 'chutemq').map((d) => `${file} imports ${d.request}`));
    assert.deepEqual(violations, []);
  });
});
