/**
 * Per-test temporary directories and random names.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const made = new Set<string>();
// Every test file runs in its own process: what it made is deleted when it exits, also when a
// test failed before its own clean-up (a broker it killed may still be restarted on the
// directory until then).
process.once('exit', () => {
  for (const path of made) rmSync(path, { recursive: true, force: true });
});

/** A fresh temporary directory, deleted when the process exits; `remove()` deletes it sooner. */
export function tempDir(prefix = 'chute-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  made.add(path);
  return {
    path,
    remove: () => {
      rmSync(path, { recursive: true, force: true });
      made.delete(path);
    },
  };
}

/** A random queue or topic name with a readable prefix. */
export function randomName(prefix = 'q'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
