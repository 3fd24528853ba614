/**
 * Scenario 4: restart. Fills a durable queue with N messages of 1 KiB, kills the broker with
 * SIGKILL, starts it again on the same data and times how long until it listens and until a
 * receive returns a message. Then drains the queue to check every confirmed message survived.
 * Only brokers the harness started itself are killed; shared machine services are reported as
 * not measured.
 */
import { makeBody, nowMs } from '../body.js';
import { DeliveryTracker, publishClosedLoop } from '../pump.js';
import type { Driver, ResultRow } from '../types.js';
import { backlogBodyBytes } from './backlog.js';
import { errorText, makeRow, resourceName, type RunContext } from './context.js';

/** Runs scenario 4. */
export async function runRestart(driver: Driver, ctx: RunContext): Promise<ResultRow[]> {
  const { options } = ctx;
  const count = options.backlogCount;
  const label = `1 KiB × ${count.toLocaleString('en-US')}`;
  if (driver.restart === undefined) {
    return [makeRow(driver, 4, label, count, {}, ['not measured: a shared machine service, which the harness never kills'])];
  }
  if (driver.tier === 'memory') {
    return [makeRow(driver, 4, label, count, {}, ['not applicable: the memory tier keeps nothing across a restart, by design'])];
  }
  ctx.log(`  scenario 4: fill ${count}, kill -9, restart`);
  const queue = await driver.openQueue(resourceName(ctx, driver, 4, 'restart'));
  try {
    const fill = await publishClosedLoop({
      count,
      window: options.window,
      deadlineMs: nowMs() + options.phaseTimeoutMs,
      publish: (seq) => queue.publish(makeBody(backlogBodyBytes, seq, nowMs())),
    });
    const timing = await driver.restart(queue);
    // Every confirmed message must come back; the drain also proves the restarted broker works.
    const tracker = new DeliveryTracker(count);
    const consumer = await queue.consume(tracker.onBody, { prefetch: options.prefetch });
    const drained = await tracker.waitFor(fill.confirmed, nowMs() + options.phaseTimeoutMs);
    await consumer.stop();
    const notes = [
      fill.timedOut || fill.error !== null ? `filled only ${fill.confirmed}` : '',
      drained ? '' : `after restart only ${tracker.unique} of ${fill.confirmed} confirmed messages came back in time`,
    ];
    return [
      makeRow(
        driver,
        4,
        label,
        count,
        {
          emptyStartMs: timing.emptyStartMs,
          listeningAfterMs: timing.listeningAfterMs,
          servingAfterMs: timing.servingAfterMs,
          recovered: tracker.unique,
          confirmedBefore: fill.confirmed,
          // Not columns: tell the speed bar how large a backlog the broker was killed with.
          backlog: count,
          complete: fill.timedOut || fill.error !== null || fill.confirmed < count ? 0 : 1,
        },
        notes,
      ),
    ];
  } catch (e) {
    return [makeRow(driver, 4, label, count, {}, [`failed: ${errorText(e)}`])];
  } finally {
    await queue.delete().catch((e: unknown) => ctx.log(`  could not delete ${queue.name}: ${errorText(e)}`));
  }
}
