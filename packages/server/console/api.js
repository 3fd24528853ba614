// The console's only way to the broker: the native HTTP API under /v1, with the session's token.

const tokenKey = 'chute.token';
const unauthorizedListeners = new Set();

/** An error answered by the API, in its wire form: code, message and optionally field and limit. */
export class ApiError extends Error {
  constructor(status, error) {
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code;
    this.field = error.field;
    this.limit = error.limit;
  }
}

/** The token kept for this browser tab (sessionStorage: gone when the tab closes). */
export function getToken() {
  return sessionStorage.getItem(tokenKey) ?? '';
}

/** Keeps `token` for this tab, or forgets it when empty. */
export function setToken(token) {
  if (token) sessionStorage.setItem(tokenKey, token);
  else sessionStorage.removeItem(tokenKey);
}

/** Calls `listener` whenever the API answers 401; returns a function that unsubscribes. */
export function onUnauthorized(listener) {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** Calls the API and returns its JSON answer (null for 204); throws ApiError for error answers. */
export async function api(method, path, body) {
  const headers = {};
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = res.status === 204 ? '' : await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (res.status === 401) for (const listener of unauthorizedListeners) listener();
  if (!res.ok) throw new ApiError(res.status, (data && data.error) || { code: 'HttpError', message: `HTTP ${res.status} ${res.statusText}` });
  return data;
}

/** The path segment of a queue or topic name. */
export function seg(name) {
  return encodeURIComponent(name);
}

/** Lists every queue, following the `next` cursor page by page. */
export async function listAllQueues() {
  const all = [];
  let after;
  for (;;) {
    const query = after === undefined ? '' : `?after=${encodeURIComponent(after)}`;
    const page = await api('GET', `/queues${query}`);
    all.push(...page.queues);
    if (!page.next || page.queues.length === 0) return all;
    after = page.next;
  }
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimited(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** True when `e` says the queue does not exist (deleted between a list and a later call). */
export function isQueueGone(e) {
  return e instanceof ApiError && e.code === 'QueueNotFound';
}
