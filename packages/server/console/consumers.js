// Consumers the broker has seen recently: who long-polls or receives from which queue.
import { useState } from 'preact/hooks';
import { api, seg } from './api.js';
import { count, duration } from './format.js';
import { html } from './html.js';
import { usePoll } from './poll.js';

/** The consumers page, optionally narrowed to one queue. */
export function ConsumersPage({ queues }) {
  const [queue, setQueue] = useState('');
  const consumers = usePoll(() => api('GET', `/consumers${queue ? `?queue=${encodeURIComponent(queue)}` : ''}`), queue);
  const list = consumers.data?.consumers ?? [];
  const now = Date.now();
  return html`<section class="card">
    <div class="card-head">
      <h2>Consumers <span class="muted">(${list.length})</span></h2>
      <select aria-label="Only consumers of queue" value=${queue} onChange=${(e) => setQueue(e.currentTarget.value)}>
        <option value="">all queues</option>
        ${queues.map((q) => html`<option value=${q.info.name}>${q.info.name}</option>`)}
      </select>
    </div>
    <p class="muted">Clients that received from a queue or are waiting in a long poll, as the broker saw them recently (by token name or address).</p>
    ${consumers.error && html`<p class="error">${consumers.error.message}</p>`}
    <div class="scroll">
      <table class="consumers">
        <thead><tr><th>Consumer</th><th>Queue</th><th class="num">Waiting polls</th><th class="num">Received</th><th class="num">Last seen</th></tr></thead>
        <tbody>
          ${list.map((c) => html`<tr key=${`${c.queue}\u0000${c.consumer}`}>
            <td class="mono">${c.consumer}</td>
            <td><a href=${`#/queues/${seg(c.queue)}`}>${c.queue}</a></td>
            <td class="num">${count(c.waiting)}</td>
            <td class="num">${count(c.received)}</td>
            <td class="num">${duration(Math.max(0, now - c.lastSeenAt))} ago</td>
          </tr>`)}
          ${consumers.data !== undefined && list.length === 0 && html`<tr><td colspan="5" class="empty">No consumer seen recently.</td></tr>`}
        </tbody>
      </table>
    </div>
  </section>`;
}
