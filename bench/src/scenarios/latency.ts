/**
 * Scenario 2: latency at fixed load. Publishes open-loop (on a fixed schedule that never waits
 * for confirmations) at 10%, 50% and 80% of the end-to-end rate scenario 1 measured for the same
 * system and size, and reports p50 / p99 / p99.9 end-to-end latency from each message's
 * scheduled send time, recorded in an HDR histogram.
 */
import { formatSize } from '../args.js';
import { makeBody, nowMs } from '../body.js';
import { DeliveryTracker, publishOpenLoop } from '../pump.js';
import type { Driver, ResultRow } from '../types.js';
import { errorText, makeRow, perSecond, rateKey, resourceName, type RunContext } from './context.js';

/** Most publishes awaiting confirmation before the load counts as more than the system takes. */
const maxInFlight = 20_000;
/** Time allowed after the schedule ends for the last messages to arrive. */
const drainGraceMs = 30_000;

/** Runs scenario 2 for every size and load level. */
export async function runLatency(driver: Driver, ctx: RunContext): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  for (const size of ctx.options.sizes) {
    const fullRate = ctx.endToEndRates.get(rateKey(driver.id, size));
    for (const load of ctx.options.loads) {
      const label = `${formatSize(size)} @ ${Math.round(load * 100)}%`;
      const order = size * 1000 + Math.round(load * 100);
      if (fullRate === undefined) {
        rows.push(makeRow(driver, 2, label, order, {}, ['not measured: scenario 1 gave no complete rate for this size']));
        continue;
      }
      rows.push(await latencyCase(driver, ctx, size, load, fullRate * load, label, order));
    }
  }
  return rows;
}

async function latencyCase(
  driver: Driver,
  ctx: RunContext,
  size: number,
  load: number,
  ratePerSec: number,
  label: string,
  order: number,
): Promise<ResultRow> {
  const { options } = ctx;
  const total = Math.max(1, Math.round(ratePerSec * options.loadSeconds));
  ctx.log(`  scenario 2, ${label}: ${Math.round(ratePerSec)} msg/s for ${options.loadSeconds} s`);
  const queue = await driver.openQueue(resourceName(ctx, driver, 2, `${size}-${Math.round(load * 100)}`));
  try {
    const tracker = new DeliveryTracker(total);
    const consumer = await queue.consume(tracker.onBody, { prefetch: options.prefetch });
    const start = nowMs();
    const deadline = start + options.loadSeconds * 1000 + Math.min(options.phaseTimeoutMs, drainGraceMs);
    const pub = await publishOpenLoop({
      ratePerSec,
      total,
      maxInFlight,
      deadlineMs: deadline,
      publish: (seq, dueAtMs) => queue.publish(makeBody(size, seq, dueAtMs)),
    });
    const complete = await tracker.waitFor(pub.confirmed, deadline);
    await consumer.stop();
    const lat = tracker.latency.summary();
    const achievedRate = perSecond(tracker.unique, tracker.lastAtMs - start);
    const fellBehind = achievedRate !== null && achievedRate < ratePerSec * 0.9;
    const notes = [
      fellBehind ? 'fell behind the schedule: latency grew with the backlog' : '',
      pub.saturated ? `overloaded: over ${maxInFlight} publishes awaited confirmation, stopped` : '',
      pub.timedOut ? 'did not finish in time' : '',
      pub.error !== null ? `publish failed: ${pub.error}` : '',
      complete ? '' : `only ${tracker.unique} of ${pub.confirmed} delivered in time`,
    ];
    return makeRow(
      driver,
      2,
      label,
      order,
      {
        targetRate: ratePerSec,
        achievedRate,
        p50Ms: lat.count > 0 ? lat.p50Ms : null,
        p99Ms: lat.count > 0 ? lat.p99Ms : null,
        p999Ms: lat.count > 0 ? lat.p999Ms : null,
        // Not columns: tell the speed bar whether the figures are of the whole schedule.
        delivered: tracker.unique,
        keptUp: fellBehind || pub.saturated || pub.timedOut || !complete ? 0 : 1,
        failed: pub.error !== null ? 1 : 0,
      },
      notes,
    );
  } catch (e) {
    return makeRow(driver, 2, label, order, { failed: 1 }, [`failed: ${errorText(e)}`]);
  } finally {
    await queue.delete().catch((e: unknown) => ctx.log(`  could not delete ${queue.name}: ${errorText(e)}`));
  }
}
