// The overview: every queue with its counts, oldest age and live rate sparklines; every topic.
import { useMemo, useState } from 'preact/hooks';
import { seg } from './api.js';
import { Chart, colors } from './chart.js';
import { count, duration, perSecond } from './format.js';
import { currentRate, historyWindowS, rateSeries } from './history.js';
import { html } from './html.js';

const sparkSeries = [
  { label: 'sent/s', color: colors.blue },
  { label: 'acked/s', color: colors.green },
];

/** The sortable columns: label, and how to read the value from a row. */
const columns = [
  { key: 'name', label: 'Queue', value: (r) => r.name },
  { key: 'ready', label: 'Ready', value: (r) => r.stats.ready },
  { key: 'leased', label: 'Leased', value: (r) => r.stats.leased },
  { key: 'delayed', label: 'Delayed', value: (r) => r.stats.scheduled },
  { key: 'dead', label: 'Dead-lettered', value: (r) => r.stats.deadLettered },
  { key: 'age', label: 'Oldest', value: (r) => r.stats.oldestReadyAgeMs },
  { key: 'send', label: 'Send rate', value: (r) => r.sendRate },
  { key: 'ack', label: 'Ack rate', value: (r) => r.ackRate },
];

function compare(a, b) {
  return typeof a === 'string' ? a.localeCompare(b) : a - b;
}

function QueueRow({ row }) {
  const s = row.stats;
  const href = `#/queues/${seg(row.name)}`;
  return html`<tr data-queue=${row.name}>
    <td class="name"><a href=${href}>${row.name}</a>${s.fifo && html` <span class="tag">FIFO</span>`}${!s.durable && html` <span class="tag warn">memory</span>`}</td>
    <td class="num" data-col="ready">${count(s.ready)}</td>
    <td class="num" data-col="leased">${count(s.leased)}</td>
    <td class="num" data-col="delayed">${count(s.scheduled)}</td>
    <td class="num" data-col="dead">${count(s.deadLettered)}</td>
    <td class="num" data-col="age">${s.oldestReadyAgeMs > 0 ? duration(s.oldestReadyAgeMs) : '–'}</td>
    <td class="num rate" data-col="send"><span class="dot blue"></span>${perSecond(row.sendRate)}</td>
    <td class="num rate" data-col="ack"><span class="dot green"></span>${perSecond(row.ackRate)}</td>
    <td class="sparkcell"><${Chart} compact width=${140} height=${32} series=${sparkSeries} data=${row.rates} title=${`send and ack rates of ${row.name}`} /></td>
  </tr>`;
}

function QueueTable({ queues }) {
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState({ key: 'name', desc: false });
  const rows = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const out = queues
      .filter((q) => q.info.name.toLowerCase().includes(needle))
      .map((q) => ({
        name: q.info.name,
        stats: q.stats,
        sendRate: currentRate(q.info.name, 'sent'),
        ackRate: currentRate(q.info.name, 'acked'),
        rates: rateSeries(q.info.name, ['sent', 'acked']),
      }));
    const col = columns.find((c) => c.key === sort.key) ?? columns[0];
    out.sort((a, b) => compare(col.value(a), col.value(b)) * (sort.desc ? -1 : 1));
    return out;
  }, [queues, filter, sort]);

  const header = (c) => {
    const active = sort.key === c.key;
    const next = () => setSort({ key: c.key, desc: active ? !sort.desc : c.key !== 'name' });
    const arrow = active ? (sort.desc ? ' ▼' : ' ▲') : '';
    return html`<th class=${c.key === 'name' ? '' : 'num'} aria-sort=${active ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button class="sort" onClick=${next}>${c.label}${arrow}</button>
    </th>`;
  };

  return html`<section class="card">
    <div class="card-head">
      <h2>Queues <span class="muted">(${queues.length})</span></h2>
      <input type="search" class="filter" placeholder="Filter by name" aria-label="Filter queues by name" value=${filter} onInput=${(e) => setFilter(e.currentTarget.value)} />
    </div>
    <div class="scroll">
      <table class="queues">
        <thead><tr>${columns.map(header)}<th class="sparkcell">Last ${historyWindowS / 60} min</th></tr></thead>
        <tbody>
          ${rows.map((row) => html`<${QueueRow} key=${row.name} row=${row} />`)}
          ${rows.length === 0 && html`<tr><td colspan="9" class="empty">${queues.length === 0 ? 'No queues yet. Create one through the API or the SDK.' : 'No queue matches the filter.'}</td></tr>`}
        </tbody>
      </table>
    </div>
  </section>`;
}

function describeFilter(filter) {
  const parts = [];
  if (filter.routingKey) parts.push(`key ${filter.routingKey}`);
  for (const [k, v] of Object.entries(filter.headers ?? {})) parts.push(`${k}=${v}`);
  return parts.length ? parts.join(', ') : 'everything';
}

function TopicTable({ topics }) {
  return html`<section class="card">
    <div class="card-head"><h2>Topics <span class="muted">(${topics.length})</span></h2></div>
    <div class="scroll">
      <table class="topics">
        <thead><tr><th>Topic</th><th>Subscriptions (queue: filter)</th></tr></thead>
        <tbody>
          ${topics.map((t) => html`<tr key=${t.name} data-topic=${t.name}>
            <td class="name">${t.name}</td>
            <td>${t.subscriptions.length === 0
              ? html`<span class="muted">none</span>`
              : html`<ul class="subs">${t.subscriptions.map((s) => html`<li><a href=${`#/queues/${seg(s.queue)}`}>${s.queue}</a>: <span class="muted">${describeFilter(s.filter)}</span></li>`)}</ul>`}</td>
          </tr>`)}
          ${topics.length === 0 && html`<tr><td colspan="2" class="empty">No topics.</td></tr>`}
        </tbody>
      </table>
    </div>
  </section>`;
}

/** The overview page. */
export function Overview({ broker }) {
  if (broker.data === undefined) {
    return broker.error ? html`<p class="error">Cannot reach the broker: ${broker.error.message}</p>` : html`<p class="loading">Loading…</p>`;
  }
  return html`
    ${broker.error && html`<p class="error">Last update failed: ${broker.error.message}</p>`}
    <${QueueTable} queues=${broker.data.queues} />
    <${TopicTable} topics=${broker.data.topics} />
  `;
}
