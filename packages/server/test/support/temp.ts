/**
 * Per-test temporary directories and random names.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A fresh temporary directory; `remove()` deletes it. */
export function tempDir(prefix = 'chute-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A random queue or topic name with a readable prefix. */
export function randomName(prefix = 'q'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
