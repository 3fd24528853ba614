/**
 * Scenario 5: fan-out. One topic, 10 subscribed queues, one consumer each. Reports the publish
 * rate (topic messages confirmed per second), the delivery rate (copies delivered per second
 * across all queues) and end-to-end latency over every delivered copy.
 */
import { formatSize } from '../args.js';
import { makeBody, nowMs } from '../body.js';
import { LatencyRecorder } from '../latency.js';
import { DeliveryTracker, publishClosedLoop } from '../pump.js';
import type { ConsumerHandle, Driver, ResultRow } from '../types.js';
import { errorText, makeRow, perSecond, resourceName, type RunContext } from './context.js';

/** Subscribed queues per topic, as issue 4 fixes it. */
export const fanoutQueues = 10;

/** Runs scenario 5 for every size. */
export async function runFanout(driver: Driver, ctx: RunContext): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  for (const size of ctx.options.sizes) rows.push(await fanoutCase(driver, ctx, size));
  return rows;
}

async function fanoutCase(driver: Driver, ctx: RunContext, size: number): Promise<ResultRow> {
  const { options } = ctx;
  // Every message is stored ten times, so the byte bound of a case applies to the copies.
  const count = Math.max(1, Math.min(options.fanoutCount, Math.floor(options.maxBytesPerCase / (size * fanoutQueues))));
  const label = formatSize(size);
  ctx.log(`  scenario 5, ${label}: ${count} messages to ${fanoutQueues} queues`);
  const fan = await driver.openFanout(resourceName(ctx, driver, 5, String(size)), fanoutQueues);
  const consumers: ConsumerHandle[] = [];
  try {
    const latency = new LatencyRecorder();
    const trackers = Array.from({ length: fanoutQueues }, () => new DeliveryTracker(count, latency));
    for (let i = 0; i < fanoutQueues; i++) {
      const tracker = trackers[i];
      if (tracker !== undefined) consumers.push(await fan.consume(i, tracker.onBody, { prefetch: options.prefetch }));
    }
    const start = nowMs();
    const deadline = start + options.phaseTimeoutMs;
    const pub = await publishClosedLoop({
      count,
      window: options.window,
      deadlineMs: deadline,
      publish: (seq) => fan.publish(makeBody(size, seq, nowMs())),
    });
    const complete = (await Promise.all(trackers.map((t) => t.waitFor(pub.confirmed, deadline)))).every(Boolean);
    const delivered = trackers.reduce((sum, t) => sum + t.unique, 0);
    const lastAt = Math.max(...trackers.map((t) => t.lastAtMs));
    const lat = latency.summary();
    const notes = [
      `${count} msgs × ${fanoutQueues} queues`,
      pub.timedOut ? 'publishing stopped at the time limit' : '',
      pub.error !== null ? `publish failed: ${pub.error}` : '',
      complete ? '' : `only ${delivered} of ${pub.confirmed * fanoutQueues} copies delivered in time`,
    ];
    return makeRow(
      driver,
      5,
      label,
      size,
      {
        publishRate: perSecond(pub.confirmed, pub.elapsedMs),
        deliveryRate: perSecond(delivered, lastAt - start),
        p50Ms: lat.count > 0 ? lat.p50Ms : null,
        p99Ms: lat.count > 0 ? lat.p99Ms : null,
        p999Ms: lat.count > 0 ? lat.p999Ms : null,
      },
      notes,
    );
  } catch (e) {
    return makeRow(driver, 5, label, size, {}, [`failed: ${errorText(e)}`]);
  } finally {
    for (const c of consumers) await c.stop().catch(() => undefined);
    await fan.delete().catch((e: unknown) => ctx.log(`  could not delete ${fan.name}: ${errorText(e)}`));
  }
}
