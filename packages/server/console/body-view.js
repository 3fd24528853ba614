// A message body shown as text, pretty-printed JSON or a hex dump, whichever fits, with a switch.
import { useMemo, useState } from 'preact/hooks';
import { html } from './html.js';

/** Bytes shown at most in the hex view; longer bodies are cut with a note. */
const hexMaxBytes = 64 * 1024;

/** The body of a wire message as bytes (it arrives as UTF-8 text or base64). */
export function bodyBytes(message) {
  if (message.bodyEncoding === 'base64') return Uint8Array.from(atob(message.body), (c) => c.charCodeAt(0));
  return new TextEncoder().encode(message.body);
}

function prettyJson(text) {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return null;
  try {
    return JSON.stringify(JSON.parse(t), null, 2);
  } catch {
    return null;
  }
}

function hexDump(bytes) {
  const lines = [];
  const end = Math.min(bytes.length, hexMaxBytes);
  for (let off = 0; off < end; off += 16) {
    const row = bytes.subarray(off, Math.min(off + 16, end));
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  if (bytes.length > end) lines.push(`… ${bytes.length - end} more bytes`);
  return lines.join('\n');
}

/** The views a body allows, and the one to show first. */
function views(message) {
  const bytes = bodyBytes(message);
  const text = message.bodyEncoding === 'base64' ? null : message.body;
  const json = text === null ? null : prettyJson(text);
  const available = { text, json, hex: bytes };
  const initial = json !== null ? 'json' : text !== null ? 'text' : 'hex';
  return { available, initial, size: bytes.length };
}

/** Shows one message body with Text / JSON / Hex tabs (views that do not apply are disabled). */
export function BodyView({ message }) {
  const v = useMemo(() => views(message), [message]);
  const [mode, setMode] = useState(v.initial);
  let content;
  if (mode === 'json') content = v.available.json;
  else if (mode === 'text') content = v.available.text;
  else content = hexDump(v.available.hex);
  const tab = (key, label) => html`<button role="tab" aria-selected=${mode === key} class=${mode === key ? 'tab active' : 'tab'} disabled=${key !== 'hex' && v.available[key] === null} onClick=${() => setMode(key)}>${label}</button>`;
  return html`<div class="body-view">
    <div class="tabs" role="tablist">${tab('text', 'Text')}${tab('json', 'JSON')}${tab('hex', 'Hex')}<span class="muted">${v.size} bytes${message.bodyEncoding === 'base64' ? ', binary' : ''}</span></div>
    <pre class=${`body mode-${mode}`}>${content}</pre>
  </div>`;
}

/** A header value as text: strings and numbers as they are, bytes as hex. */
export function headerText(value) {
  if (value !== null && typeof value === 'object' && typeof value.base64 === 'string') {
    const bytes = Uint8Array.from(atob(value.base64), (c) => c.charCodeAt(0));
    return `0x${Array.from(bytes.subarray(0, 64), (b) => b.toString(16).padStart(2, '0')).join('')}${bytes.length > 64 ? '…' : ''} (${bytes.length} bytes)`;
  }
  return String(value);
}
