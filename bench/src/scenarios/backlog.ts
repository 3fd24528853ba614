/**
 * Scenario 3: backlog. Fills a queue with N messages of 1 KiB with no consumer, then drains it.
 * Reports the fill and drain rates, the broker process's peak resident memory and the memory
 * each queued message costs: (RSS when full - RSS before the fill) / N, and the same for anonymous
 * memory only (RssAnon: heap and allocations, without the file-backed pages of a memory-mapped
 * data file, which are reclaimable page cache). The fill pauses halfway to take a second sample,
 * so that the cost of one more queued message (second half's growth / its messages) is reported
 * beside the average, which also carries one-off growth (the heap's young generation, buffers).
 */
import { makeBody, nowMs } from '../body.js';
import { readAnonBytes, RssSampler } from '../proc.js';
import { DeliveryTracker, publishClosedLoop, sleep, type PublishOutcome } from '../pump.js';
import type { Driver, QueueHandle, ResultRow } from '../types.js';
import { errorText, makeRow, perSecond, resourceName, type RunContext } from './context.js';

/** Body size of the backlog scenarios, as issue 4 fixes it. */
export const backlogBodyBytes = 1024;
const mib = 1024 * 1024;
/** RSS changes smaller than this say nothing about per-message cost (heap growth and GC swing this much). */
const rssNoiseBytes = 64 * mib;
/**
 * A per-message figure over n messages is uncertain by `rssNoiseBytes / n`. Beyond this (the speed
 * bar's own limit), a swing of the heap alone could pass or fail the bar: the figure is noise.
 */
const perMessageUncertaintyMaxBytes = 200;

/** How long the broker is left alone before a memory sample, so it is not taken mid-allocation. */
const settleMs = 1000;

/** Publishes messages `from` to `to - 1` of the backlog, as fast as confirmations allow. */
function fillRange(queue: QueueHandle, from: number, to: number, window: number, deadlineMs: number): Promise<PublishOutcome> {
  return publishClosedLoop({ count: to - from, window, deadlineMs, publish: (i) => queue.publish(makeBody(backlogBodyBytes, from + i, nowMs())) });
}

/** Runs scenario 3. */
export async function runBacklog(driver: Driver, ctx: RunContext): Promise<ResultRow[]> {
  const { options } = ctx;
  const count = options.backlogCount;
  const label = `1 KiB × ${count.toLocaleString('en-US')}`;
  ctx.log(`  scenario 3: fill ${count} then drain`);
  // A broker the harness owns starts this scenario as a new process, without earlier scenarios' heap.
  if (driver.fresh !== undefined) await driver.fresh();
  const pid = await driver.brokerPid();
  const queue = await driver.openQueue(resourceName(ctx, driver, 3, 'backlog'));
  const sampler = pid === null ? null : new RssSampler(pid);
  try {
    // Let the broker settle after the queue was created, so the baseline is not mid-allocation.
    await sleep(settleMs);
    const baseline = sampler?.sample() ?? null;
    const anonBaseline = pid === null ? null : readAnonBytes(pid);
    sampler?.start();
    const half = Math.floor(count / 2);
    const deadlineMs = nowMs() + options.phaseTimeoutMs;
    const first = await fillRange(queue, 0, half, options.window, deadlineMs);
    let anonHalf: number | null = null;
    let second: PublishOutcome | null = null;
    if (first.confirmed === half && first.error === null) {
      await sleep(settleMs);
      anonHalf = pid === null ? null : readAnonBytes(pid);
      second = await fillRange(queue, half, count, options.window, deadlineMs);
    }
    const fill = {
      confirmed: first.confirmed + (second?.confirmed ?? 0),
      elapsedMs: first.elapsedMs + (second?.elapsedMs ?? 0),
      timedOut: first.timedOut || (second?.timedOut ?? false),
      error: first.error ?? second?.error ?? null,
    };
    await sleep(settleMs);
    const full = sampler?.sample() ?? null;
    const anonFull = pid === null ? null : readAnonBytes(pid);
    const tracker = new DeliveryTracker(count);
    const drainStart = nowMs();
    const consumer = await queue.consume(tracker.onBody, { prefetch: options.prefetch });
    const drained = await tracker.waitFor(fill.confirmed, drainStart + options.phaseTimeoutMs);
    await consumer.stop();
    sampler?.stop();
    const perMessage = baseline !== null && full !== null && fill.confirmed > 0 ? (full - baseline) / fill.confirmed : null;
    const anonPerMessage = anonBaseline !== null && anonFull !== null && fill.confirmed > 0 ? (anonFull - anonBaseline) / fill.confirmed : null;
    const secondHalf = second?.confirmed ?? 0;
    const anonPerAddedMessage = anonHalf !== null && anonFull !== null && secondHalf > 0 ? (anonFull - anonHalf) / secondHalf : null;
    const growth = baseline !== null && full !== null ? full - baseline : null;
    const uncertainty = secondHalf > 0 ? rssNoiseBytes / secondHalf : null;
    const tooFew = uncertainty !== null && uncertainty > perMessageUncertaintyMaxBytes;
    // Memory that shrank while messages were added was freed by a collection: it says nothing either.
    const shrank = anonPerAddedMessage !== null && anonPerAddedMessage < 0;
    const rssWithinNoise = growth !== null && Math.abs(growth) < rssNoiseBytes;
    const withinNoise = rssWithinNoise || tooFew || shrank;
    const notes = [
      rssWithinNoise
        ? `RSS moved by ${(growth / mib).toFixed(0)} MiB, within the noise of a garbage-collected heap: bytes/msg needs a larger --backlog`
        : tooFew
          ? `a heap swing of ${rssNoiseBytes / mib} MiB is ${Math.round(uncertainty).toLocaleString('en-US')} B a message over the ${secondHalf.toLocaleString('en-US')} messages of the second half: bytes/msg needs a larger --backlog`
          : shrank
            ? 'anonymous memory shrank over the second half (a collection freed more than the messages added): no per-message figure'
            : '',
      pid === null ? 'broker process not found: no memory figures' : '',
      driver.isChute ? '' : 'RSS of a shared server process (includes anything else it holds)',
      fill.timedOut ? `fill stopped at the time limit after ${fill.confirmed} messages` : '',
      fill.error !== null ? `publish failed: ${fill.error}` : '',
      drained ? '' : `drain incomplete: ${tracker.unique} of ${fill.confirmed}`,
    ];
    return [
      makeRow(
        driver,
        3,
        label,
        count,
        {
          fillRate: perSecond(fill.confirmed, fill.elapsedMs),
          drainRate: perSecond(tracker.unique, tracker.lastAtMs - drainStart),
          peakRssMiB: sampler === null ? null : sampler.peakBytes / mib,
          bytesPerMessage: perMessage,
          anonBytesPerMessage: anonPerMessage,
          anonBytesPerAddedMessage: anonPerAddedMessage,
          // Not a column: tells the speed bar that the per-message figures are noise.
          memoryWithinNoise: withinNoise ? 1 : 0,
          backlog: count,
          complete: fill.timedOut || fill.error !== null || fill.confirmed < count || !drained ? 0 : 1,
        },
        notes,
      ),
    ];
  } catch (e) {
    return [makeRow(driver, 3, label, count, {}, [`failed: ${errorText(e)}`])];
  } finally {
    sampler?.stop();
    await queue.delete().catch((e: unknown) => ctx.log(`  could not delete ${queue.name}: ${errorText(e)}`));
  }
}
