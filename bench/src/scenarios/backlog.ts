/**
 * Scenario 3: backlog. Fills a queue with N messages of 1 KiB with no consumer, then drains it.
 * Reports the fill and drain rates, the broker process's peak resident memory and the memory
 * each queued message costs: (RSS when full - RSS before the fill) / N, and the same for anonymous
 * memory only (RssAnon: heap and allocations, without the file-backed pages of a memory-mapped
 * data file, which are reclaimable page cache).
 */
import { makeBody, nowMs } from '../body.js';
import { readAnonBytes, RssSampler } from '../proc.js';
import { DeliveryTracker, publishClosedLoop, sleep } from '../pump.js';
import type { Driver, ResultRow } from '../types.js';
import { errorText, makeRow, perSecond, resourceName, type RunContext } from './context.js';

/** Body size of the backlog scenarios, as issue 4 fixes it. */
export const backlogBodyBytes = 1024;
const mib = 1024 * 1024;
/** RSS changes smaller than this say nothing about per-message cost (heap growth and GC swing this much). */
const rssNoiseBytes = 64 * mib;

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
    await sleep(500);
    const baseline = sampler?.sample() ?? null;
    const anonBaseline = pid === null ? null : readAnonBytes(pid);
    sampler?.start();
    const fillStart = nowMs();
    const fill = await publishClosedLoop({
      count,
      window: options.window,
      deadlineMs: fillStart + options.phaseTimeoutMs,
      publish: (seq) => queue.publish(makeBody(backlogBodyBytes, seq, nowMs())),
    });
    await sleep(1000);
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
    const growth = baseline !== null && full !== null ? full - baseline : null;
    const notes = [
      growth !== null && Math.abs(growth) < rssNoiseBytes
        ? `RSS moved by ${(growth / mib).toFixed(0)} MiB, within the noise of a garbage-collected heap: bytes/msg needs a larger --backlog`
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
