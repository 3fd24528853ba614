// The console's entry point: hash routes, the broker-wide poll shared by the pages, and the token prompt.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, getToken, isQueueGone, listAllQueues, mapLimited, onUnauthorized, seg } from './api.js';
import { keepOnly, recordSample } from './history.js';
import { html } from './html.js';
import { usePoll } from './poll.js';
import { Overview } from './overview.js';
import { QueuePage } from './queue.js';
import { ConsumersPage } from './consumers.js';
import { TokenPrompt } from './token.js';

/** Stats requests in flight at once while polling every queue. */
const statsConcurrency = 6;

/** Every queue with its configuration and stats, and every topic, sampled for the rate charts. */
async function loadBroker() {
  const infos = await listAllQueues();
  const stats = await mapLimited(infos, statsConcurrency, (q) =>
    api('GET', `/queues/${seg(q.name)}/stats`).catch((e) => {
      if (isQueueGone(e)) return null;
      throw e;
    }),
  );
  const at = Date.now();
  const queues = [];
  infos.forEach((info, i) => {
    if (stats[i] === null) return;
    recordSample(stats[i], at);
    queues.push({ info, stats: stats[i] });
  });
  keepOnly(queues.map((q) => q.info.name));
  const { topics } = await api('GET', '/topics');
  return { queues, topics, at };
}

function parseRoute(hash) {
  const path = hash.replace(/^#/, '') || '/';
  const queue = /^\/queues\/(.+)$/.exec(path);
  if (queue) return { page: 'queue', name: decodeURIComponent(queue[1]) };
  if (path === '/consumers') return { page: 'consumers' };
  return { page: 'overview' };
}

function useRoute() {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

function Header({ route, status, onToken }) {
  const link = (href, label, active) => html`<a href=${href} class=${active ? 'active' : ''} aria-current=${active ? 'page' : undefined}>${label}</a>`;
  return html`<header class="top">
    <a class="brand" href="#/">Chute</a>
    <nav>
      ${link('#/', 'Queues', route.page === 'overview' || route.page === 'queue')}
      ${link('#/consumers', 'Consumers', route.page === 'consumers')}
    </nav>
    <span class=${`status ${status.ok ? 'ok' : 'bad'}`} title=${status.text}>${status.ok ? '● live' : '● offline'}</span>
    <button class="link" onClick=${onToken}>${getToken() ? 'Change token' : 'Token'}</button>
  </header>`;
}

function App() {
  const route = useRoute();
  const [askToken, setAskToken] = useState(false);
  useEffect(() => onUnauthorized(() => setAskToken(true)), []);
  const broker = usePoll(loadBroker, 'broker');
  const status = broker.error
    ? { ok: false, text: broker.error.message }
    : { ok: broker.data !== undefined, text: broker.data ? `updated ${new Date(broker.data.at).toLocaleTimeString()}` : 'loading' };

  let page;
  if (route.page === 'queue') page = html`<${QueuePage} key=${route.name} name=${route.name} broker=${broker} />`;
  else if (route.page === 'consumers') page = html`<${ConsumersPage} queues=${broker.data?.queues ?? []} />`;
  else page = html`<${Overview} broker=${broker} />`;

  return html`
    <${Header} route=${route} status=${status} onToken=${() => setAskToken(true)} />
    <main>${page}</main>
    ${askToken && html`<${TokenPrompt} onDone=${() => { setAskToken(false); void broker.refresh(); }} />`}
  `;
}

// The static "Loading" text is only for the moments before this module runs.
const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
