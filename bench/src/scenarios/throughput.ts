/**
 * Scenario 1: one producer, one consumer, as fast as possible for a fixed count. Reports the
 * publish rate (confirmed publishes per second), the end-to-end consume rate (from the first
 * publish to the last delivery) and end-to-end latency from the send time inside each message.
 */
import { countForSize, formatSize } from '../args.js';
import { makeBody, nowMs } from '../body.js';
import { DeliveryTracker, publishClosedLoop } from '../pump.js';
import type { Driver, ResultRow } from '../types.js';
import { errorText, makeRow, perSecond, rateKey, resourceName, type RunContext } from './context.js';

/** Runs scenario 1 for every size. */
export async function runThroughput(driver: Driver, ctx: RunContext): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  for (const size of ctx.options.sizes) {
    rows.push(await throughputCase(driver, ctx, size));
  }
  return rows;
}

async function throughputCase(driver: Driver, ctx: RunContext, size: number): Promise<ResultRow> {
  const { options } = ctx;
  const count = countForSize(options, size);
  const label = formatSize(size);
  ctx.log(`  scenario 1, ${label}: ${count} messages`);
  const queue = await driver.openQueue(resourceName(ctx, driver, 1, String(size)));
  try {
    const tracker = new DeliveryTracker(count);
    const consumer = await queue.consume(tracker.onBody, { prefetch: options.prefetch });
    const start = nowMs();
    const deadline = start + options.phaseTimeoutMs;
    const pub = await publishClosedLoop({
      count,
      window: options.window,
      deadlineMs: deadline,
      publish: (seq) => queue.publish(makeBody(size, seq, nowMs())),
    });
    const complete = await tracker.waitFor(pub.confirmed, deadline);
    await consumer.stop();
    const consumeRate = perSecond(tracker.unique, tracker.lastAtMs - start);
    if (consumeRate !== null && complete && pub.confirmed === count) {
      ctx.endToEndRates.set(rateKey(driver.id, size), consumeRate);
    }
    const lat = tracker.latency.summary();
    const notes = [
      `${count} msgs`,
      pub.timedOut ? `publishing stopped at the ${options.phaseTimeoutMs / 1000} s limit` : '',
      pub.error !== null ? `publish failed: ${pub.error}` : '',
      complete ? '' : `only ${tracker.unique} of ${pub.confirmed} confirmed messages delivered in time`,
      tracker.duplicates > 0 ? `${tracker.duplicates} redeliveries` : '',
    ];
    return makeRow(
      driver,
      1,
      label,
      size,
      {
        publishRate: perSecond(pub.confirmed, pub.elapsedMs),
        consumeRate,
        p50Ms: lat.count > 0 ? lat.p50Ms : null,
        p99Ms: lat.count > 0 ? lat.p99Ms : null,
        p999Ms: lat.count > 0 ? lat.p999Ms : null,
        // Not a column: tells the speed bar whether the rate is of the whole count.
        complete: complete && !pub.timedOut && pub.error === null && pub.confirmed === count ? 1 : 0,
      },
      notes,
    );
  } catch (e) {
    return makeRow(driver, 1, label, size, {}, [`failed: ${errorText(e)}`]);
  } finally {
    await queue.delete().catch((e: unknown) => ctx.log(`  could not delete ${queue.name}: ${errorText(e)}`));
  }
}
