/**
 * What each scenario's table shows: its columns, their units and which direction is better.
 */
import type { ScenarioId, Tier } from '../types.js';

/** Whether a larger or a smaller value of a metric is better. */
export type Better = 'higher' | 'lower';

/** One column of a scenario table. */
export interface MetricDef {
  key: string;
  title: string;
  better: Better;
  /** Digits after the point when printed. */
  digits: number;
  /** False for figures that are facts rather than performance (counts); they get no ratio. */
  ratio: boolean;
}

/** A scenario's title, what it measures, and its columns. */
export interface ScenarioDef {
  title: string;
  measures: string;
  metrics: MetricDef[];
}

const rate = (key: string, title: string): MetricDef => ({ key, title, better: 'higher', digits: 0, ratio: true });
const ms = (key: string, title: string): MetricDef => ({ key, title, better: 'lower', digits: 2, ratio: true });

/** Every scenario of issue 4. */
export const scenarioDefs: Record<ScenarioId, ScenarioDef> = {
  1: {
    title: 'Scenario 1: one producer, one consumer, fixed count',
    measures:
      'Closed-loop publishing (a window of unconfirmed publishes) with one consumer running; publish rate = confirmed publishes/s, end-to-end rate = delivered messages/s from the first publish to the last delivery, latency from the send time stamped in each message.',
    metrics: [
      rate('publishRate', 'publish msg/s'),
      rate('consumeRate', 'end-to-end msg/s'),
      ms('p50Ms', 'p50 ms'),
      ms('p99Ms', 'p99 ms'),
      ms('p999Ms', 'p99.9 ms'),
    ],
  },
  2: {
    title: 'Scenario 2: latency at fixed load (open loop)',
    measures:
      "Open-loop publishing on a fixed schedule at 10%, 50% and 80% of the system's own scenario 1 end-to-end rate; latency from each message's scheduled send time (HDR histogram), so a stalled publish counts against latency.",
    metrics: [
      rate('targetRate', 'target msg/s'),
      rate('achievedRate', 'delivered msg/s'),
      ms('p50Ms', 'p50 ms'),
      ms('p99Ms', 'p99 ms'),
      ms('p999Ms', 'p99.9 ms'),
    ],
  },
  3: {
    title: 'Scenario 3: backlog of 1 KiB messages',
    measures:
      "Fill a queue with no consumer, then drain it with one. Peak RSS of the broker process, sampled every 200 ms; memory per message = (RSS when full - RSS before the fill) / messages; anonymous memory per message counts only RssAnon (heap and allocations), leaving out the file-backed pages of a memory-mapped data file, which are page cache the kernel reclaims. The fill pauses for a second halfway: anon bytes per added message = RssAnon growth over the second half / its messages, the cost of one more queued message without the one-off growth (young generation, buffers) that the average carries.",
    metrics: [
      rate('fillRate', 'fill msg/s'),
      rate('drainRate', 'drain msg/s'),
      { key: 'peakRssMiB', title: 'peak RSS MiB', better: 'lower', digits: 0, ratio: true },
      { key: 'bytesPerMessage', title: 'RSS bytes/queued msg', better: 'lower', digits: 0, ratio: true },
      { key: 'anonBytesPerMessage', title: 'anon bytes/queued msg', better: 'lower', digits: 0, ratio: true },
      { key: 'anonBytesPerAddedMessage', title: 'anon bytes/added msg', better: 'lower', digits: 0, ratio: true },
    ],
  },
  4: {
    title: 'Scenario 4: kill -9 with a full backlog, restart',
    measures:
      'Fill a durable queue, SIGKILL the broker, start it again on the same data; time from the kill until it listens and until a receive returns a message; then drain to count what survived. "Empty start" is the start-up of the same broker on an empty data directory, for scale: the rest is recovery.',
    metrics: [
      ms('emptyStartMs', 'empty start ms'),
      ms('listeningAfterMs', 'listening after ms'),
      ms('servingAfterMs', 'serving after ms'),
      { key: 'confirmedBefore', title: 'confirmed before kill', better: 'higher', digits: 0, ratio: false },
      { key: 'recovered', title: 'delivered after restart', better: 'higher', digits: 0, ratio: false },
    ],
  },
  5: {
    title: 'Scenario 5: fan-out to 10 queues',
    measures:
      'One topic with 10 subscribed queues and one consumer per queue; publish rate = topic messages confirmed/s, delivery rate = copies delivered/s over all queues, latency over every copy.',
    metrics: [
      rate('publishRate', 'publish msg/s'),
      rate('deliveryRate', 'deliveries/s'),
      ms('p50Ms', 'p50 ms'),
      ms('p99Ms', 'p99 ms'),
      ms('p999Ms', 'p99.9 ms'),
    ],
  },
};

/** Table order and names of the durability tiers. */
export const tierOrder: Tier[] = ['fsync', 'page-cache', 'memory'];

/** How each tier is named in tables. */
export const tierNames: Record<Tier, string> = {
  fsync: 'fsync before confirm',
  'page-cache': 'page cache (fsync later)',
  memory: 'memory (nothing on disk)',
};
