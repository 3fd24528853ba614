// The configuration of a queue, editable through PATCH where the API allows it.
import { useState } from 'preact/hooks';
import { api, seg } from './api.js';
import { html } from './html.js';

/** Every field of QueueConfig the form shows; `fixed` ones are set at creation and cannot change. */
const fields = [
  { key: 'fifo', label: 'FIFO', kind: 'bool', fixed: true },
  { key: 'durable', label: 'Durable (fsync before confirm)', kind: 'bool', fixed: true },
  { key: 'visibilityTimeoutMs', label: 'Visibility timeout (ms)', kind: 'number' },
  { key: 'delayMs', label: 'Delivery delay (ms)', kind: 'number' },
  { key: 'retentionMs', label: 'Retention (ms)', kind: 'number' },
  { key: 'receiveWaitMs', label: 'Receive wait (ms)', kind: 'number' },
  { key: 'maxDeliveries', label: 'Max deliveries (empty: never dead-letter)', kind: 'number?' },
  { key: 'deadLetterQueue', label: 'Dead-letter queue', kind: 'queue?' },
  { key: 'maxLength', label: 'Max messages (empty: unbounded)', kind: 'number?' },
  { key: 'maxBytes', label: 'Max bytes (empty: unbounded)', kind: 'number?' },
  { key: 'overflow', label: 'When full', kind: 'choice', choices: ['reject', 'drop-oldest', 'dead-letter-oldest'] },
  { key: 'expiry', label: 'When expired', kind: 'choice', choices: ['drop', 'dead-letter'] },
  { key: 'maxMessageBytes', label: 'Max message size (bytes)', kind: 'number' },
  { key: 'dedupWindowMs', label: 'Dedup window (ms)', kind: 'number' },
  { key: 'contentBasedDedup', label: 'Content-based dedup', kind: 'bool' },
];

function toInput(field, value) {
  if (field.kind === 'bool') return Boolean(value);
  return value === null || value === undefined ? '' : String(value);
}

function fromInput(field, raw) {
  if (field.kind === 'bool' || field.kind === 'choice') return raw;
  if (field.kind === 'queue?') return raw.trim() === '' ? null : raw.trim();
  if (raw.trim() === '') return field.kind === 'number?' ? null : Number.NaN;
  return Number(raw);
}

function initialValues(config) {
  return Object.fromEntries(fields.map((f) => [f.key, toInput(f, config[f.key])]));
}

/** The configuration card: shows every setting and PATCHes only the changed ones. */
export function QueueConfig({ info, queueNames, onSaved }) {
  const [values, setValues] = useState(() => initialValues(info.config));
  const [result, setResult] = useState(null);
  const [busy, setBusy] = useState(false);
  const changed = fields.filter((f) => !f.fixed && values[f.key] !== toInput(f, info.config[f.key]));

  const save = async (e) => {
    e.preventDefault();
    const patch = Object.fromEntries(changed.map((f) => [f.key, fromInput(f, values[f.key])]));
    setBusy(true);
    try {
      const updated = await api('PATCH', `/queues/${seg(info.name)}`, patch);
      setValues(initialValues(updated.config));
      setResult({ ok: true, text: `Saved ${changed.map((f) => f.key).join(', ')}.` });
      onSaved(updated);
    } catch (error) {
      setResult({ ok: false, text: `${error.message}${error.field ? ` (field ${error.field}${error.limit !== undefined ? `, limit ${error.limit}` : ''})` : ''}` });
    } finally {
      setBusy(false);
    }
  };

  const input = (f) => {
    const set = (v) => setValues((s) => ({ ...s, [f.key]: v }));
    const id = `cfg-${f.key}`;
    if (f.kind === 'bool') {
      return html`<label class="check" for=${id}><input id=${id} name=${f.key} type="checkbox" checked=${values[f.key]} disabled=${f.fixed} onChange=${(e) => set(e.currentTarget.checked)} /> ${f.label}</label>`;
    }
    let control;
    if (f.kind === 'choice') {
      control = html`<select id=${id} name=${f.key} value=${values[f.key]} onChange=${(e) => set(e.currentTarget.value)}>${f.choices.map((c) => html`<option value=${c}>${c}</option>`)}</select>`;
    } else if (f.kind === 'queue?') {
      control = html`<input id=${id} name=${f.key} list="queue-names" value=${values[f.key]} placeholder="none" onInput=${(e) => set(e.currentTarget.value)} />`;
    } else {
      control = html`<input id=${id} name=${f.key} type="number" min="0" step="1" value=${values[f.key]} onInput=${(e) => set(e.currentTarget.value)} />`;
    }
    return html`<label for=${id}><span>${f.label}</span>${control}</label>`;
  };

  return html`<section class="card" id="config">
    <div class="card-head"><h2>Configuration</h2></div>
    <form class="config" onSubmit=${save}>
      <datalist id="queue-names">${queueNames.filter((n) => n !== info.name).map((n) => html`<option value=${n} />`)}</datalist>
      <div class="grid">${fields.map(input)}</div>
      <div class="actions">
        <button type="submit" class="primary" disabled=${busy || changed.length === 0}>Save changes</button>
        <button type="button" disabled=${busy || changed.length === 0} onClick=${() => { setValues(initialValues(info.config)); setResult(null); }}>Undo</button>
        ${result && html`<span class=${result.ok ? 'ok' : 'error'} role="status">${result.text}</span>`}
      </div>
    </form>
  </section>`;
}
