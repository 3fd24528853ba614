// The page of one queue: counts, larger charts, configuration, peek, send, purge and redrive.
import { useState } from 'preact/hooks';
import { api, seg } from './api.js';
import { Chart, colors } from './chart.js';
import { Purge, Redrive } from './danger.js';
import { bytes, count, duration } from './format.js';
import { depthSeries, historyWindowS, rateSeries } from './history.js';
import { html } from './html.js';
import { Peek } from './peek.js';
import { usePoll } from './poll.js';
import { QueueConfig } from './queue-config.js';
import { SendForm } from './send-form.js';

const depthLines = [
  { label: 'ready', color: colors.blue },
  { label: 'leased', color: colors.orange },
  { label: 'delayed', color: colors.purple },
];
const rateLines = [
  { label: 'sent/s', color: colors.blue },
  { label: 'received/s', color: colors.orange },
  { label: 'acked/s', color: colors.green },
];

/** How often the dead-letter sources are asked for; they change only with configuration. */
const sourcesPollMs = 10_000;

function Stat({ label, value, id }) {
  return html`<div class="stat" data-stat=${id}><span class="value">${value}</span><span class="label">${label}</span></div>`;
}

function Stats({ s }) {
  const t = s.totals;
  return html`<section class="stats" aria-label="Counts">
    <${Stat} id="ready" label="ready" value=${count(s.ready)} />
    <${Stat} id="leased" label="leased" value=${count(s.leased)} />
    <${Stat} id="delayed" label="delayed" value=${count(s.scheduled)} />
    <${Stat} id="dead" label="dead-lettered" value=${count(s.deadLettered)} />
    <${Stat} id="age" label="oldest ready" value=${s.oldestReadyAgeMs > 0 ? duration(s.oldestReadyAgeMs) : '–'} />
    <${Stat} id="bytes" label="held" value=${bytes(s.bytes)} />
  </section>
  <p class="muted totals">Since the broker started: ${count(t.sent)} sent, ${count(t.received)} received, ${count(t.acked)} acked, ${count(t.nacked)} nacked, ${count(t.expired)} expired, ${count(t.deadLettered)} dead-lettered, ${count(t.leaseExpired)} lease expiries, ${count(t.deduplicated)} duplicates, ${count(t.dropped)} dropped.</p>`;
}

/** The queue page; `broker` is the shared poll of every queue's info and stats. */
export function QueuePage({ name, broker }) {
  const [info, setInfo] = useState(null);
  const sources = usePoll(() => api('GET', `/queues/${seg(name)}/dead-letter-sources`), name, sourcesPollMs);
  const entry = broker.data?.queues.find((q) => q.info.name === name);
  if (broker.data === undefined) return html`<p class="loading">Loading…</p>`;
  if (entry === undefined) {
    return html`<p class="error">Queue <strong>${name}</strong> does not exist (any more). <a href="#/">Back to the overview</a></p>`;
  }
  const s = entry.stats;
  const current = info !== null && info.updatedAt >= entry.info.updatedAt ? info : entry.info;
  const queueNames = broker.data.queues.map((q) => q.info.name);
  const refresh = () => void broker.refresh();
  const dlqOf = sources.data?.queues ?? [];
  return html`
    <nav class="crumbs"><a href="#/">Queues</a> › <span>${name}</span></nav>
    <div class="title-row">
      <h1>${name} ${s.fifo && html`<span class="tag">FIFO</span>`} ${!s.durable && html`<span class="tag warn">memory only</span>`}</h1>
      <${Purge} queue=${name} total=${s.total} onDone=${refresh} />
    </div>
    <${Stats} s=${s} />
    <section class="card charts">
      <div class="chart-box"><h3>Depth, last ${historyWindowS / 60} min</h3><${Chart} height=${180} series=${depthLines} data=${depthSeries(name)} yLabel="messages" /></div>
      <div class="chart-box"><h3>Rates</h3><${Chart} height=${180} series=${rateLines} data=${rateSeries(name, ['sent', 'received', 'acked'])} yLabel="per second" /></div>
    </section>
    ${dlqOf.length > 0 && html`<${Redrive} queue=${name} sources=${dlqOf} ready=${s.ready} queueNames=${queueNames} onProgress=${refresh} />`}
    <div class="two-col">
      <${SendForm} queue=${name} fifo=${s.fifo} onSent=${refresh} />
      <${QueueConfig} key=${name} info=${current} queueNames=${queueNames} onSaved=${(updated) => { setInfo(updated); refresh(); }} />
    </div>
    <${Peek} queue=${name} />
  `;
}
