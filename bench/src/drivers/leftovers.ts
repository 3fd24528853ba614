/**
 * What a peer driver created on a shared server and has not deleted yet. A run that is
 * interrupted (Ctrl-C) closes its drivers without finishing its scenarios; each driver then
 * deletes what is left here, so a durable queue or stream does not stay behind on a service
 * other programs use.
 */
import { withTimeout } from '../pump.js';

/** Longest a driver's clean-up may take before the run gives up on it. */
const clearTimeoutMs = 5_000;

/** Resources awaiting deletion, by name. */
export class Leftovers {
  private readonly pending = new Map<string, () => Promise<unknown>>();

  /**
   * Remembers `name` with the call that deletes it; returns that call, which forgets the name once
   * the deletion succeeded (a failed one stays for clear() to try again).
   */
  add(name: string, remove: () => Promise<unknown>): () => Promise<void> {
    this.pending.set(name, remove);
    return async () => {
      await remove();
      this.pending.delete(name);
    };
  }

  /** Deletes everything still remembered, once each, within a few seconds in all. */
  async clear(): Promise<void> {
    const all = [...this.pending.values()];
    this.pending.clear();
    const run = (async () => {
      for (const remove of all) await remove().catch(() => undefined);
    })();
    await withTimeout(run, clearTimeoutMs, 'deleting what the run left on a shared server').catch(() => undefined);
  }
}
