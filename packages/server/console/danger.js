// Purge (with confirmation) and redrive (with progress): the actions that move or remove messages.
import { useRef, useState } from 'preact/hooks';
import { api, seg } from './api.js';
import { count } from './format.js';
import { html } from './html.js';

/** Messages moved per redrive call, so that progress can be shown and the move stopped between calls. */
const redriveChunk = 100;

/** A purge button that asks first, naming the queue and how many messages go. */
export function Purge({ queue, total, onDone }) {
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState(null);
  const purge = async () => {
    try {
      const { purged } = await api('POST', `/queues/${seg(queue)}/purge`);
      setResult({ ok: true, text: `Purged ${count(purged)} message${purged === 1 ? '' : 's'}.` });
      onDone();
    } catch (error) {
      setResult({ ok: false, text: error.message });
    }
    setConfirming(false);
  };
  return html`<div class="purge">
    ${confirming
      ? html`<div class="confirm" role="alertdialog" aria-label="Confirm purge">
          <p>Remove all ${count(total)} messages (ready, delayed and leased) from <strong>${queue}</strong>? This cannot be undone.</p>
          <button class="danger" onClick=${purge}>Yes, purge ${queue}</button>
          <button onClick=${() => setConfirming(false)}>Cancel</button>
        </div>`
      : html`<button class="danger" onClick=${() => { setResult(null); setConfirming(true); }}>Purge…</button>`}
    ${result && html`<span class=${result.ok ? 'ok' : 'error'} role="status">${result.text}</span>`}
  </div>`;
}

/** The redrive card of a dead-letter queue: moves its messages back in chunks, with a progress bar. */
export function Redrive({ queue, sources, ready, queueNames, onProgress }) {
  const [target, setTarget] = useState('');
  const [run, setRun] = useState(null);
  const stop = useRef(false);

  const start = async () => {
    stop.current = false;
    const goal = ready;
    let moved = 0;
    setRun({ moved, goal, done: false, error: null });
    try {
      while (!stop.current && moved < goal) {
        const body = { max: Math.min(redriveChunk, goal - moved) };
        if (target) body.to = target;
        const r = await api('POST', `/queues/${seg(queue)}/redrive`, body);
        if (r.moved === 0) break;
        moved += r.moved;
        setRun({ moved, goal, done: false, error: null });
        onProgress();
      }
      setRun({ moved, goal, done: true, error: null });
    } catch (error) {
      setRun({ moved, goal, done: true, error });
    }
    onProgress();
  };

  const busy = run !== null && !run.done;
  return html`<section class="card" id="redrive">
    <div class="card-head"><h2>Redrive dead letters</h2></div>
    <p>This is the dead-letter queue of ${sources.map((s, i) => html`${i > 0 ? ', ' : ''}<a href=${`#/queues/${seg(s)}`}>${s}</a>`)}. Redrive moves its messages back so that consumers see them again.</p>
    <div class="actions">
      <label for="redrive-to"><span>Move to </span><select id="redrive-to" value=${target} onChange=${(e) => setTarget(e.currentTarget.value)} disabled=${busy}>
        <option value="">each message's source queue</option>
        ${queueNames.filter((n) => n !== queue).map((n) => html`<option value=${n}>${n}</option>`)}
      </select></label>
      ${busy
        ? html`<button onClick=${() => (stop.current = true)}>Stop</button>`
        : html`<button class="primary" disabled=${ready === 0} onClick=${start}>Redrive ${count(ready)} message${ready === 1 ? '' : 's'}</button>`}
    </div>
    ${run && html`<div class="progress" role="status">
      <progress max=${Math.max(1, run.goal)} value=${run.moved}></progress>
      <span>${run.done ? `Moved ${count(run.moved)} of ${count(run.goal)}.` : `Moving… ${count(run.moved)} of ${count(run.goal)}`}</span>
      ${run.error && html`<span class="error">${run.error.message}</span>`}
    </div>`}
  </section>`;
}
