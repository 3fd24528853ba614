/**
 * The channel to the broker: one WebSocket (`/v1/channel`) that carries batch sends, receives,
 * acks, nacks and extends as binary messages, many at once, each answered by id. A request costs
 * a message each way instead of an HTTP exchange, which is most of the CPU a small batch costs.
 *
 * Message layout, both ways: a 4-byte big-endian length N, N bytes of UTF-8 JSON (the header),
 * then the payload. A request's header is `{ id, op, queue, body? }`, its payload a framed batch
 * for a send; an answer's header is `{ id, status, body?, framed?, retryAfter? }`, its payload the
 * framed messages of a receive. The connection opens with the first request and again after it
 * closes; it does not keep the process alive while nothing is waiting for an answer.
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { ChuteError } from './errors.js';

/** The operations the channel carries. */
export type ChannelOp = 'send' | 'receive' | 'ack' | 'nack' | 'extend';

/** An answer: the HTTP status the route would have given, its JSON body and, when framed, the framed batch. */
export interface ChannelAnswer {
  status: number;
  body: unknown;
  /** The framed batch of a receive (undefined otherwise). */
  frame: Buffer | undefined;
  retryAfterSeconds: number | undefined;
}

/** The broker has no channel (an older broker, or a proxy that does not pass WebSockets): use HTTP. */
export class ChannelUnavailable extends Error {}

/** The path of the channel below the broker's base URL. */
export const channelPath = '/v1/channel';

const prefixBytes = 4;

/** Upgrade answers that refuse this client (they come with an error body, as over HTTP), not the channel. */
const refusalStatuses: ReadonlySet<number> = new Set([401, 403, 429, 503]);

/** How long requests go over HTTP after an upgrade failed for want of a channel, before it is tried again. */
const unavailableRetryMs = 60_000;

/** Upgrade answer header with the largest message the broker's channel takes (larger requests go over HTTP). */
const maxMessageBytesHeader = 'x-chute-channel-max-message-bytes';

/** Longest wait for the pong of a connection whose request went unanswered, before it is given up. */
const probeTimeoutMsMax = 10_000;

/** A request waiting for its answer. */
interface Waiting {
  /** The connection the request went out on. */
  ws: WebSocket;
  resolve: (answer: ChannelAnswer) => void;
  reject: (error: Error) => void;
}

/** One client's channel to one broker. */
export class Channel {
  private ws: WebSocket | undefined;
  private socket: Socket | undefined;
  private opening: Promise<WebSocket> | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  /** Until then (epoch ms) requests go over HTTP: the last upgrade was answered, but not as one. */
  private unavailableUntil = 0;
  private corked = false;
  /** The largest message each connection's broker takes, as its upgrade answer said. */
  private readonly maxMessageBytes = new WeakMap<WebSocket, number>();
  /** Set while a ping checks that the current connection still carries answers. */
  private probe: ReturnType<typeof setTimeout> | undefined;
  private readonly probeTimeoutMs: number;

  /**
   * @param url the broker's base URL (http:// or https://)
   * @param headers sent with the upgrade (the token)
   * @param requestTimeoutMs the time limit of one request: a connection whose request went
   *   unanswered that long is pinged and, without a pong within this time (10 s at most), dropped
   */
  constructor(
    url: string,
    private readonly headers: Record<string, string>,
    requestTimeoutMs = probeTimeoutMsMax,
  ) {
    this.url = url.replace(/^http/, 'ws') + channelPath;
    this.probeTimeoutMs = Math.min(requestTimeoutMs, probeTimeoutMsMax);
  }

  private readonly url: string;

  /** False for a while after the broker (or a proxy before it) answered the upgrade without one. */
  get usable(): boolean {
    return Date.now() >= this.unavailableUntil;
  }

  /**
   * Sends one request and resolves with its answer. Rejects with ChannelUnavailable when the
   * broker has no channel or the request is larger than its channel takes (HTTP then carries it),
   * with the connection's error (carrying its `code`) when it cannot be reached or closes before
   * answering, with a BadResponse ChuteError when the broker's answer is not one, and with the
   * reason of `signal` when that aborts first. Aborting `waitSignal` before the request has gone
   * out rejects with its reason; after, it ends a receive's wait: the broker answers at once with
   * what it holds.
   */
  async request(op: ChannelOp, queue: string, body: unknown, payload: Buffer | undefined, signal: AbortSignal, waitSignal?: AbortSignal): Promise<ChannelAnswer> {
    const ws = await this.open(signal, waitSignal);
    const id = this.nextId++;
    let header = `{"id":${id},"op":"${op}","queue":${JSON.stringify(queue)}`;
    if (body !== undefined) header += `,"body":${JSON.stringify(body)}`;
    header += '}';
    const headerBytes = Buffer.byteLength(header, 'utf8');
    const message = Buffer.allocUnsafe(prefixBytes + headerBytes + (payload?.length ?? 0));
    message.writeUInt32BE(headerBytes, 0);
    message.write(header, prefixBytes, 'utf8');
    if (payload !== undefined) message.set(payload, prefixBytes + headerBytes);
    // A message over the broker's limit would close the channel (1009) and fail every request on it.
    const limit = this.maxMessageBytes.get(ws);
    if (limit !== undefined && message.length > limit) {
      throw new ChannelUnavailable(`the request is ${message.length} bytes, more than the ${limit} the broker's channel takes`);
    }
    return new Promise<ChannelAnswer>((resolve, reject) => {
      const cancel = (): void => {
        if (this.ws === ws && ws.readyState === WebSocket.OPEN) ws.send(Buffer.from(cancelMessage(id)));
      };
      const abort = (): void => {
        cancel();
        done();
        // No answer in time (or none wanted any more): make sure the connection still carries any.
        this.checkAlive(ws);
        reject(signal.reason as Error);
      };
      const done = (): void => {
        this.waiting.delete(id);
        signal.removeEventListener('abort', abort);
        waitSignal?.removeEventListener('abort', cancel);
        this.refWhileWaiting();
      };
      this.waiting.set(id, {
        ws,
        resolve: (a) => {
          done();
          resolve(a);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      this.refWhileWaiting();
      signal.addEventListener('abort', abort, { once: true });
      if (waitSignal?.aborted === true) queueMicrotask(cancel);
      else waitSignal?.addEventListener('abort', cancel, { once: true });
      this.corkForTurn();
      ws.send(message);
    });
  }

  /** Closes the connection; requests still waiting fail as if it had dropped. */
  close(): void {
    this.ws?.close(1000, 'client closed');
  }

  private open(signal: AbortSignal, waitSignal: AbortSignal | undefined): Promise<WebSocket> {
    if (!this.usable) return Promise.reject(new ChannelUnavailable('the broker has no channel'));
    if (this.ws !== undefined && this.ws.readyState === WebSocket.OPEN) return Promise.resolve(this.ws);
    this.opening ??= this.connect().finally(() => {
      this.opening = undefined;
    });
    // The caller's time limit covers the connection too, and so does a wait cancelled before the
    // request could go out; the connection itself goes on for others.
    return new Promise<WebSocket>((resolve, reject) => {
      const abort = (): void => reject((signal.aborted ? signal.reason : waitSignal?.reason) as Error);
      if (signal.aborted || waitSignal?.aborted === true) abort();
      signal.addEventListener('abort', abort, { once: true });
      waitSignal?.addEventListener('abort', abort, { once: true });
      (this.opening as Promise<WebSocket>).then(resolve, reject).finally(() => {
        signal.removeEventListener('abort', abort);
        waitSignal?.removeEventListener('abort', abort);
      });
    });
  }

  private connect(): Promise<WebSocket> {
    return new Promise<WebSocket>((resolve, reject) => {
      // A zero mask leaves the payload as it is instead of copying it to XOR it. Masking guards
      // proxies against pages that script a browser's WebSocket; this client is no browser page.
      const ws = new WebSocket(this.url, { headers: this.headers, perMessageDeflate: false, maxPayload: 0, generateMask: zeroMask });
      ws.binaryType = 'nodebuffer';
      ws.on('upgrade', (res) => {
        this.socket = res.socket as Socket;
        const max = Number(res.headers[maxMessageBytesHeader]);
        if (Number.isSafeInteger(max) && max > 0) this.maxMessageBytes.set(ws, max);
      });
      ws.once('unexpected-response', (req, res) => {
        const status = res.statusCode ?? 0;
        if (!refusalStatuses.has(status)) {
          req.destroy();
          this.noChannel();
          reject(new ChannelUnavailable(`the broker answered the channel's upgrade with HTTP ${status}`));
          return;
        }
        // 401, 403, 429, 503: the answer HTTP would have given, passed on as it is.
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          req.destroy();
          reject(Object.assign(new Error(`the broker refused the channel: HTTP ${status}`), { refusal: parseRefusal(status, Buffer.concat(chunks), res.headers['retry-after']) }));
        });
        res.on('error', reject);
      });
      ws.once('open', () => {
        this.ws = ws;
        this.refWhileWaiting();
        resolve(ws);
      });
      ws.on('message', (data: Buffer) => this.onAnswer(ws, data));
      ws.on('pong', () => {
        if (this.ws === ws) this.endProbe();
      });
      ws.on('error', (e: Error & { code?: string }) => {
        // The connection was made but dropped instead of upgrading: something before the broker
        // does not pass WebSockets on. (A broker that is down refuses the connection instead.)
        if (this.ws !== ws && e.code === 'ECONNRESET') {
          this.noChannel();
          reject(new ChannelUnavailable(`the connection closed instead of upgrading to the channel: ${e.message}`));
        } else reject(e);
      });
      ws.once('close', (code, reason) => {
        if (this.ws === ws) {
          this.ws = undefined;
          this.endProbe();
        }
        // A closed socket has no handle, and ref() or unref() on one adds a 'connect' listener
        // each call: the requests failing below would pile them up.
        if (this.socket?.destroyed === true) this.socket = undefined;
        const error = Object.assign(new Error(`the channel to the broker closed before the answer came (${code}${reason.length > 0 ? `: ${reason.toString('utf8')}` : ''})`), { code: 'ECONNRESET' });
        this.failWaiting(ws, error);
        reject(error);
      });
    });
  }

  /**
   * Holds the socket's writes until this turn of the event loop ends, so the requests issued in
   * one turn (a send batch, an ack batch and the next receive, say) leave in one system call.
   */
  private corkForTurn(): void {
    const socket = this.socket;
    if (this.corked || socket === undefined) return;
    this.corked = true;
    socket.cork();
    process.nextTick(() => {
      this.corked = false;
      socket.uncork();
    });
  }

  private noChannel(): void {
    this.unavailableUntil = Date.now() + unavailableRetryMs;
  }

  private onAnswer(ws: WebSocket, data: Buffer): void {
    let answer;
    try {
      answer = decodeAnswer(data);
    } catch (e) {
      // Nothing on this connection can be trusted to match its request any more.
      const reason = `the broker's answer is not a channel answer: ${(e as Error).message}`;
      this.drop(ws, new ChuteError('BadResponse', reason, { cause: e }), () => ws.terminate());
      return;
    }
    this.waiting.get(answer.id)?.resolve(answer);
  }

  /** Fails the requests waiting for answers on `ws`. */
  private failWaiting(ws: WebSocket, error: Error): void {
    for (const w of [...this.waiting.values()]) if (w.ws === ws) w.reject(error);
  }

  /** Gives a connection up at once: its requests fail with `error`, and the next request opens another. */
  private drop(ws: WebSocket, error: Error, close: () => void): void {
    if (this.ws === ws) {
      this.ws = undefined;
      this.endProbe();
    }
    this.failWaiting(ws, error);
    close();
  }

  /**
   * Pings the current connection after a request on it went unanswered in time: a connection whose
   * peer is gone without a word (a host powered off, a dropped route) would otherwise take every
   * later request until the system gives up on it, many minutes on. Without a pong in time it is
   * dropped; the requests still waiting on it fail as if it had closed.
   */
  private checkAlive(ws: WebSocket): void {
    if (this.probe !== undefined || this.ws !== ws || ws.readyState !== WebSocket.OPEN) return;
    this.probe = setTimeout(() => {
      this.probe = undefined;
      const error = Object.assign(new Error(`the channel to the broker answered no ping within ${this.probeTimeoutMs} ms`), { code: 'ECONNRESET' });
      this.drop(ws, error, () => ws.terminate());
    }, this.probeTimeoutMs);
    this.probe.unref();
    ws.ping();
  }

  private endProbe(): void {
    if (this.probe === undefined) return;
    clearTimeout(this.probe);
    this.probe = undefined;
  }

  /** The connection holds the process open only while answers are awaited, like an HTTP request. */
  private refWhileWaiting(): void {
    const socket = this.socket;
    if (socket === undefined || socket.destroyed) return;
    if (this.waiting.size > 0) socket.ref();
    else socket.unref();
  }
}

/** The answer-shaped refusal of an upgrade (401, 403, 503), for the transport to map like HTTP's. */
export interface ChannelRefusal {
  status: number;
  body: unknown;
  retryAfterSeconds: number | undefined;
}

function parseRefusal(status: number, bytes: Buffer, retryAfter: string | undefined): ChannelRefusal {
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    body = undefined;
  }
  const seconds = retryAfter !== undefined && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
  return { status, body, retryAfterSeconds: seconds };
}

/** The refusal an upgrade error carries, if it was one. */
export function refusalOf(e: unknown): ChannelRefusal | undefined {
  return (e as { refusal?: ChannelRefusal } | null)?.refusal;
}

/** Reads an answer; throws naming what is wrong when it is not one. */
function decodeAnswer(data: Buffer): ChannelAnswer & { id: number } {
  if (data.length < prefixBytes) throw new Error(`${data.length} bytes, less than the header length`);
  const headerEnd = prefixBytes + data.readUInt32BE(0);
  if (headerEnd > data.length) throw new Error(`the header length says ${headerEnd - prefixBytes} bytes, but ${data.length - prefixBytes} follow`);
  const header = JSON.parse(data.toString('utf8', prefixBytes, headerEnd)) as { id?: unknown; status?: unknown; body?: unknown; framed?: unknown; retryAfter?: unknown } | null;
  if (typeof header !== 'object' || header === null) throw new Error('the header is not a JSON object');
  const { id, status, retryAfter } = header;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw new Error('the header has no integer "id"');
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) throw new Error('the header has no HTTP "status"');
  return {
    id,
    status,
    body: header.body,
    frame: header.framed === true ? data.subarray(headerEnd) : undefined,
    retryAfterSeconds: typeof retryAfter === 'number' && retryAfter >= 0 ? retryAfter : undefined,
  };
}

function zeroMask(mask: Buffer): void {
  mask.fill(0);
}

function cancelMessage(id: number): Uint8Array {
  const header = `{"id":${id},"op":"cancel"}`;
  const out = Buffer.allocUnsafe(prefixBytes + header.length);
  out.writeUInt32BE(header.length, 0);
  out.write(header, prefixBytes, 'latin1');
  return out;
}
