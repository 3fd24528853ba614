// The token prompt: shown when the API answers 401, or on demand from the header.
import { useState } from 'preact/hooks';
import { getToken, setToken } from './api.js';
import { html } from './html.js';

/** A modal dialog asking for the broker's bearer token; keeps it for this tab only. */
export function TokenPrompt({ onDone }) {
  const [value, setValue] = useState(getToken());
  const save = (e) => {
    e.preventDefault();
    setToken(value.trim());
    onDone();
  };
  return html`<div class="modal-backdrop">
    <form class="modal" onSubmit=${save} aria-labelledby="token-title">
      <h2 id="token-title">Access token</h2>
      <p>This broker asks for a token. It is kept in this browser tab only (session storage) and sent as <code>Authorization: Bearer …</code>.</p>
      <label>Token <input type="password" name="token" autocomplete="off" autofocus value=${value} onInput=${(e) => setValue(e.currentTarget.value)} /></label>
      <div class="actions">
        <button type="submit" class="primary">Use token</button>
        <button type="button" onClick=${() => { setToken(''); setValue(''); onDone(); }}>Forget token</button>
      </div>
    </form>
  </div>`;
}
