/**
 * One HTTP request and its answer, the only thing the transport needs from an HTTP stack. The
 * default goes through `node:http` / `node:https` with keep-alive agents: on a busy client the
 * WHATWG fetch machinery (streams, Headers, Request/Response objects) cost about three times
 * the CPU of a plain request per exchange, and a message broker's client makes many small ones.
 * A caller-supplied fetch is still accepted (custom dispatchers, test doubles).
 */
import * as http from 'node:http';
import * as https from 'node:https';

/** A request as the transport builds it. */
export interface ExchangeRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  /** Aborting it ends the request at any point. */
  signal: AbortSignal;
  /**
   * Aborting it ends the request only while no answer has started to arrive; an answer already
   * on its way is read to the end and returned. A long poll cancelled just as the broker answered
   * must not drop the messages the broker leased for it.
   */
  waitSignal?: AbortSignal;
}

/** An answer: status, a header lookup and the whole body. */
export interface ExchangeResponse {
  status: number;
  statusText: string;
  /** A response header by lower-case name. */
  header(name: string): string | undefined;
  body: Buffer;
}

/** Performs one request; rejects on connection errors and when the signal aborts. */
export type Exchange = (request: ExchangeRequest) => Promise<ExchangeResponse>;

/**
 * Idle sockets are closed after this long, well before the broker's own keep-alive timeout
 * (65 s by default) and those of common proxies, so a request is never written to a socket the
 * other side is closing.
 */
const idleSocketMs = 4_000;

/** An exchange over `node:http` and `node:https`, keeping connections alive between requests. */
export function nodeExchange(): Exchange {
  const agents = {
    http: new http.Agent({ keepAlive: true, timeout: idleSocketMs }),
    https: new https.Agent({ keepAlive: true, timeout: idleSocketMs }),
  };
  return (request) =>
    new Promise<ExchangeResponse>((resolve, reject) => {
      const secure = request.url.startsWith('https:');
      const send = secure ? https.request : http.request;
      const headers: Record<string, string | number> = { ...request.headers };
      if (request.body !== undefined) headers['content-length'] = typeof request.body === 'string' ? Buffer.byteLength(request.body) : request.body.byteLength;
      const { waitSignal } = request;
      let answered = false;
      const endWait = (): void => {
        if (!answered) req.destroy(waitSignal?.reason as Error);
      };
      const req = send(request.url, { method: request.method, headers, agent: secure ? agents.https : agents.http, signal: request.signal }, (res) => {
        answered = true;
        waitSignal?.removeEventListener('abort', endWait);
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        // A connection that dies mid-answer does not always raise an error on the answer: without
        // this, the request would never settle.
        res.on('close', () => {
          if (!res.complete) reject(Object.assign(new Error('the connection closed before the answer was complete'), { code: 'ECONNRESET' }));
        });
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            header: (name) => {
              const value = res.headers[name];
              return Array.isArray(value) ? value.join(', ') : value;
            },
            body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks),
          });
        });
      });
      req.on('error', (e) => {
        waitSignal?.removeEventListener('abort', endWait);
        reject(e);
      });
      if (waitSignal?.aborted === true) endWait();
      else waitSignal?.addEventListener('abort', endWait, { once: true });
      req.end(request.body);
    });
}

/**
 * An exchange through a fetch implementation. fetch cannot tell an answer that has started from
 * one that has not, so here `waitSignal` ends the request at any point, like `signal`.
 */
export function fetchExchange(fetchImpl: typeof fetch): Exchange {
  return async (request) => {
    const res = await fetchImpl(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body !== undefined && { body: request.body }),
      signal: request.waitSignal === undefined ? request.signal : AbortSignal.any([request.signal, request.waitSignal]),
    });
    const body = Buffer.from(await res.arrayBuffer());
    return { status: res.status, statusText: res.statusText, header: (name) => res.headers.get(name) ?? undefined, body };
  };
}
