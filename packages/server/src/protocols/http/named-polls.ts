/**
 * Long polls that carry a client-chosen `pollId`, so that the client can end one's wait without
 * closing its connection. Closing the connection is the only other way to stop a long poll, and it
 * loses an answer the broker is writing at that instant: the messages in it stay leased to nobody
 * until their lease ends. Ended this way, a poll answers as usual, with whatever it holds.
 */
import { invalidArgument } from '../../core/errors.js';

/**
 * How long an end that found no waiting poll is remembered: the end can overtake the receive it
 * is meant for (both sent at once by a client stopping), which must then not wait at all.
 */
const EARLY_END_MEMORY_MS = 10_000;
/** Most early ends remembered at once, so that a flood of ends for made-up ids stays small. */
const EARLY_ENDS_MAX = 10_000;

/** The waiting named polls of one server. */
export class NamedPolls {
  private readonly waiting = new Map<string, AbortController>();
  /** Ends that came before their poll, by key, with when they are forgotten. */
  private readonly endedEarly = new Map<string, number>();

  /**
   * Registers a poll; its signal aborts when {@link end} names it or when `until` aborts. `close`
   * must be called once the poll has its answer. Two waiting polls of one queue cannot share an id.
   */
  open(queue: string, pollId: string, until: AbortSignal): { signal: AbortSignal; close: () => void } {
    const key = `${queue}/${pollId}`;
    if (this.waiting.has(key)) throw invalidArgument('pollId', `pollId ${JSON.stringify(pollId)} is already used by a waiting receive on this queue`);
    const controller = new AbortController();
    if (this.endedEarly.delete(key)) controller.abort();
    // Linked by hand rather than with AbortSignal.any, whose bookkeeping per call (weak references
    // held by the long-lived source signals) cost scenario 1 about a tenth of its rate.
    const onUntil = (): void => controller.abort();
    if (until.aborted) controller.abort();
    else until.addEventListener('abort', onUntil, { once: true });
    this.waiting.set(key, controller);
    return {
      signal: controller.signal,
      close: () => {
        until.removeEventListener('abort', onUntil);
        if (this.waiting.get(key) === controller) this.waiting.delete(key);
      },
    };
  }

  /**
   * Ends the wait of the named poll. When no such poll is waiting (it was answered already, or
   * has not arrived yet), a poll of that id arriving in the next few seconds ends at once.
   */
  end(queue: string, pollId: string): void {
    const key = `${queue}/${pollId}`;
    const controller = this.waiting.get(key);
    if (controller !== undefined) {
      controller.abort();
      return;
    }
    const now = Date.now();
    for (const [k, forgetAt] of this.endedEarly) {
      if (forgetAt > now) break;
      this.endedEarly.delete(k);
    }
    if (this.endedEarly.size < EARLY_ENDS_MAX) this.endedEarly.set(key, now + EARLY_END_MEMORY_MS);
  }
}
