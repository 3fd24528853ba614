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

  /**
   * @param url the broker's base URL (http:// or https://)
   * @param headers sent with the upgrade (the token)
   */
  constructor(
    url: string,
    private readonly headers: Record<string, string>,
  ) {
    this.url = url.replace(/^http/, 'ws') + channelPath;
  }

  private readonly url: string;

  /** False for a while after the broker (or a proxy before it) answered the upgrade without one. */
  get usable(): boolean {
    return Date.now() >= this.unavailableUntil;
  }

  /**
   * Sends one request and resolves with its answer. Rejects with ChannelUnavailable when the
   * broker has no channel, with the connection's error (carrying its `code`) when it cannot be
   * reached or closes before answering, and with the reason of `signal` when that aborts first.
   * Aborting `waitSignal` ends a receive's wait: the broker answers at once with what it holds.
   */
  async request(op: ChannelOp, queue: string, body: unknown, payload: Buffer | undefined, signal: AbortSignal, waitSignal?: AbortSignal): Promise<ChannelAnswer> {
    const ws = await this.open(signal);
    const id = this.nextId++;
    let header = `{"id":${id},"op":"${op}","queue":${JSON.stringify(queue)}`;
    if (body !== undefined) header += `,"body":${JSON.stringify(body)}`;
    header += '}';
    const headerBytes = Buffer.byteLength(header, 'utf8');
    const message = Buffer.allocUnsafe(prefixBytes + headerBytes + (payload?.length ?? 0));
    message.writeUInt32BE(headerBytes, 0);
    message.write(header, prefixBytes, 'utf8');
    if (payload !== undefined) message.set(payload, prefixBytes + headerBytes);
    return new Promise<ChannelAnswer>((resolve, reject) => {
      const cancel = (): void => {
        if (this.ws === ws && ws.readyState === WebSocket.OPEN) ws.send(Buffer.from(cancelMessage(id)));
      };
      const abort = (): void => {
        cancel();
        done();
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

  private open(signal: AbortSignal): Promise<WebSocket> {
    if (!this.usable) return Promise.reject(new ChannelUnavailable('the broker has no channel'));
    if (this.ws !== undefined && this.ws.readyState === WebSocket.OPEN) return Promise.resolve(this.ws);
    this.opening ??= this.connect().finally(() => {
      this.opening = undefined;
    });
    // The caller's time limit covers the connection too; the connection itself goes on for others.
    return new Promise<WebSocket>((resolve, reject) => {
      const abort = (): void => reject(signal.reason as Error);
      if (signal.aborted) abort();
      signal.addEventListener('abort', abort, { once: true });
      (this.opening as Promise<WebSocket>).then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
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
      ws.on('message', (data: Buffer) => this.onAnswer(data));
      ws.on('error', (e: Error & { code?: string }) => {
        // The connection was made but dropped instead of upgrading: something before the broker
        // does not pass WebSockets on. (A broker that is down refuses the connection instead.)
        if (this.ws !== ws && e.code === 'ECONNRESET') {
          this.noChannel();
          reject(new ChannelUnavailable(`the connection closed instead of upgrading to the channel: ${e.message}`));
        } else reject(e);
      });
      ws.once('close', (code, reason) => {
        if (this.ws === ws) this.ws = undefined;
        const error = Object.assign(new Error(`the channel to the broker closed before the answer came (${code}${reason.length > 0 ? `: ${reason.toString('utf8')}` : ''})`), { code: 'ECONNRESET' });
        for (const w of [...this.waiting.values()]) if (w.ws === ws) w.reject(error);
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

  private onAnswer(data: Buffer): void {
    const headerEnd = prefixBytes + data.readUInt32BE(0);
    const header = JSON.parse(data.toString('utf8', prefixBytes, headerEnd)) as { id: number; status: number; body?: unknown; framed?: boolean; retryAfter?: number };
    this.waiting.get(header.id)?.resolve({
      status: header.status,
      body: header.body,
      frame: header.framed === true ? data.subarray(headerEnd) : undefined,
      retryAfterSeconds: header.retryAfter,
    });
  }

  /** The connection holds the process open only while answers are awaited, like an HTTP request. */
  private refWhileWaiting(): void {
    if (this.waiting.size > 0) this.socket?.ref();
    else this.socket?.unref();
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
