// Peek: look at a queue's messages in delivery order without leasing them.
import { useState } from 'preact/hooks';
import { api, seg } from './api.js';
import { BodyView, headerText } from './body-view.js';
import { count, when } from './format.js';
import { html } from './html.js';

/** Messages fetched per peek. */
const peekPageSize = 20;

function MessageCard({ m }) {
  const headers = Object.entries(m.headers ?? {});
  return html`<article class="message" data-id=${m.id}>
    <dl class="meta">
      <div><dt>id</dt><dd class="mono">${m.id}</dd></div>
      <div><dt>sequence</dt><dd class="mono">${m.sequence}</dd></div>
      <div><dt>enqueued</dt><dd>${when(m.enqueuedAt)}</dd></div>
      <div><dt>deliveries</dt><dd>${count(m.deliveryCount)}</dd></div>
      <div><dt>priority</dt><dd>${m.priority}</dd></div>
      ${m.groupId !== undefined && html`<div><dt>group</dt><dd class="mono">${m.groupId}</dd></div>`}
      ${m.dedupId !== undefined && html`<div><dt>dedup id</dt><dd class="mono">${m.dedupId}</dd></div>`}
      ${m.deadLetter && html`<div><dt>dead-lettered</dt><dd>${m.deadLetter.reason} from <a href=${`#/queues/${seg(m.deadLetter.sourceQueue)}`}>${m.deadLetter.sourceQueue}</a> at ${when(m.deadLetter.at)}</dd></div>`}
    </dl>
    ${headers.length > 0 && html`<table class="headers"><thead><tr><th>Header</th><th>Value</th></tr></thead><tbody>
      ${headers.map(([k, v]) => html`<tr><td class="mono">${k}</td><td class="mono">${headerText(v)}</td></tr>`)}
    </tbody></table>`}
    <${BodyView} message=${m} />
  </article>`;
}

/** The peek panel of a queue page. */
export function Peek({ queue }) {
  const [state, setState] = useState({ messages: null, more: false, error: null, busy: false });
  const load = async (append) => {
    setState((s) => ({ ...s, busy: true, error: null }));
    try {
      const last = append && state.messages.length > 0 ? state.messages[state.messages.length - 1].sequence : undefined;
      const query = `?max=${peekPageSize}${last === undefined ? '' : `&after=${encodeURIComponent(last)}`}`;
      const { messages } = await api('GET', `/queues/${seg(queue)}/messages${query}`);
      setState((s) => ({ messages: append ? [...s.messages, ...messages] : messages, more: messages.length === peekPageSize, error: null, busy: false }));
    } catch (error) {
      setState((s) => ({ ...s, error, busy: false }));
    }
  };
  return html`<section class="card" id="peek">
    <div class="card-head">
      <h2>Messages</h2>
      <button onClick=${() => load(false)} disabled=${state.busy}>${state.messages === null ? 'Peek' : 'Peek again'}</button>
    </div>
    <p class="muted">Peeking shows messages in delivery order without leasing them; consumers are not affected.</p>
    ${state.error && html`<p class="error">${state.error.message}</p>`}
    ${state.messages !== null && state.messages.length === 0 && html`<p class="empty">No messages to show.</p>`}
    ${state.messages !== null && state.messages.map((m) => html`<${MessageCard} key=${m.id} m=${m} />`)}
    ${state.more && html`<button onClick=${() => load(true)} disabled=${state.busy}>Show more</button>`}
  </section>`;
}
