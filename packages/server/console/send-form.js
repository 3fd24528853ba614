// Send a test message to a queue through the native API.
import { useState } from 'preact/hooks';
import { api, seg } from './api.js';
import { html } from './html.js';

/** Parses "name: value" lines into a headers object; numbers stay text (the API keeps them as sent). */
function parseHeaders(text) {
  const headers = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const at = line.indexOf(':');
    if (at <= 0) throw new Error(`Header line "${line}" needs the form name: value`);
    headers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return headers;
}

/** The send form of a queue page. */
export function SendForm({ queue, fifo, onSent }) {
  const [form, setForm] = useState({ body: '{"hello": "world"}', headers: '', priority: '0', delayMs: '', groupId: '', dedupId: '' });
  const [result, setResult] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (key) => (e) => setForm((f) => ({ ...f, [key]: e.currentTarget.value }));

  const send = async (e) => {
    e.preventDefault();
    setBusy(true);
    try {
      const entry = { body: form.body, headers: parseHeaders(form.headers), priority: Number(form.priority) };
      if (form.delayMs.trim() !== '') entry.delayMs = Number(form.delayMs);
      if (form.groupId.trim() !== '') entry.groupId = form.groupId.trim();
      if (form.dedupId.trim() !== '') entry.dedupId = form.dedupId.trim();
      const sent = await api('POST', `/queues/${seg(queue)}/messages`, entry);
      setResult({ ok: true, text: sent.duplicate ? `Duplicate of ${sent.id}: nothing stored.` : `Sent ${sent.id}.` });
      onSent();
    } catch (error) {
      setResult({ ok: false, text: `${error.message}${error.field ? ` (field ${error.field})` : ''}` });
    } finally {
      setBusy(false);
    }
  };

  return html`<section class="card" id="send">
    <div class="card-head"><h2>Send a test message</h2></div>
    <form class="send" onSubmit=${send}>
      <label for="send-body"><span>Body (UTF-8 text)</span><textarea id="send-body" name="body" rows="4" value=${form.body} onInput=${set('body')}></textarea></label>
      <label for="send-headers"><span>Headers, one "name: value" per line</span><textarea id="send-headers" name="headers" rows="2" value=${form.headers} onInput=${set('headers')} placeholder="content-type: application/json"></textarea></label>
      <div class="grid">
        <label for="send-priority"><span>Priority</span><select id="send-priority" name="priority" value=${form.priority} onChange=${set('priority')}>${Array.from({ length: 10 }, (_, i) => html`<option value=${String(i)}>${i}</option>`)}</select></label>
        <label for="send-delay"><span>Delay (ms)</span><input id="send-delay" name="delayMs" type="number" min="0" value=${form.delayMs} onInput=${set('delayMs')} placeholder="queue default" /></label>
        <label for="send-group"><span>Group id${fifo ? ' (FIFO order)' : ''}</span><input id="send-group" name="groupId" value=${form.groupId} onInput=${set('groupId')} /></label>
        <label for="send-dedup"><span>Dedup id</span><input id="send-dedup" name="dedupId" value=${form.dedupId} onInput=${set('dedupId')} /></label>
      </div>
      <div class="actions">
        <button type="submit" class="primary" disabled=${busy}>Send</button>
        ${result && html`<span class=${result.ok ? 'ok' : 'error'} role="status">${result.text}</span>`}
      </div>
    </form>
  </section>`;
}
