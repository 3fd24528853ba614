// Rates are not kept by the broker, only running totals: the console samples each queue's `stats`
// as it polls and derives per-second rates from consecutive samples, in the browser.

/** How much history is kept per queue, in seconds. */
export const historyWindowS = 300;

const samplesByQueue = new Map();

/** Records one `stats` answer of a queue, taken at `atMs` (browser time). */
export function recordSample(stats, atMs) {
  let samples = samplesByQueue.get(stats.name);
  if (!samples) samplesByQueue.set(stats.name, (samples = []));
  const t = atMs / 1000;
  const last = samples[samples.length - 1];
  if (last && t - last.t < 0.2) return;
  samples.push({
    t,
    ready: stats.ready,
    leased: stats.leased,
    delayed: stats.scheduled,
    sent: stats.totals.sent,
    received: stats.totals.received,
    acked: stats.totals.acked,
  });
  while (samples.length > 0 && samples[0].t < t - historyWindowS) samples.shift();
}

/** Forgets queues that no longer exist. */
export function keepOnly(names) {
  const keep = new Set(names);
  for (const name of samplesByQueue.keys()) if (!keep.has(name)) samplesByQueue.delete(name);
}

// A counter that went down means the broker restarted; that interval shows no rate rather than a negative one.
function rate(a, b, field) {
  const dt = b.t - a.t;
  const d = b[field] - a[field];
  return dt > 0 && d >= 0 ? d / dt : 0;
}

/** Per-second rates of `fields` between consecutive samples: [times, ...one array per field] for uPlot. */
export function rateSeries(name, fields) {
  const samples = samplesByQueue.get(name) ?? [];
  const times = [];
  const series = fields.map(() => []);
  for (let i = 1; i < samples.length; i++) {
    times.push(samples[i].t);
    fields.forEach((f, j) => series[j].push(rate(samples[i - 1], samples[i], f)));
  }
  return [times, ...series];
}

/** Depth by state over time: [times, ready, leased, delayed] for uPlot. */
export function depthSeries(name) {
  const samples = samplesByQueue.get(name) ?? [];
  return [samples.map((s) => s.t), samples.map((s) => s.ready), samples.map((s) => s.leased), samples.map((s) => s.delayed)];
}

/** The latest per-second rate of `field`, or 0 before two samples exist. */
export function currentRate(name, field) {
  const samples = samplesByQueue.get(name) ?? [];
  if (samples.length < 2) return 0;
  return rate(samples[samples.length - 2], samples[samples.length - 1], field);
}
