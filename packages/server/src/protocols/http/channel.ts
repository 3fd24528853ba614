/**
 * The channel: one WebSocket (`GET /v1/channel`, upgraded) that carries the native API's busiest
 * requests — batch sends, receives, acks, nacks and extends — as binary messages (layout in
 * channel-codec.ts), many at once and answered in any order. Each request does exactly what its
 * HTTP route does, with the same checks, errors and answers; what it saves is the HTTP exchange
 * around it (parsing, routing, headers, a socket write each way), which cost more CPU than the
 * broker's own work on small batches and made the latency of a lightly loaded broker jumpy.
 *
 * The token is checked once, on the upgrade. A message that is not a request at all (no header,
 * no id) closes the channel with code 1002 and the reason; everything else but a cancel gets an
 * answer. docs/http-api.md ("The channel") describes the protocol for client writers.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { ChuteError, invalidArgument } from '../../core/errors.js';
import type { ReceivedMessage, SendInput } from '../../core/types.js';
import type { Action, Principal } from '../auth-types.js';
import { parseApiJson } from '../request-json.js';
import { decodeFramedSendEntry, framedMessagesJson, receiptResultsJson, sendResultsJson, type FramedSendEntry } from './codec.js';
import { ChannelProtocolError, channelOps, decodeChannelRequest, encodeChannelAnswer, type ChannelOp } from './channel-codec.js';
import type { ApiContext } from './context.js';
import { toHttpError } from './errors.js';
import { decodeFrame, encodeFrame } from './frames.js';
import { ackBodySchema, extendBodySchema, nackBodySchema, receiveBodySchema, sendBatch, type ReceiveBody } from './messages.js';
import { framedSendSchema } from './schemas.js';
import { bodyValidator } from './validation.js';

/** The path of the channel's upgrade request. */
export const channelPath = '/v1/channel';

/** Requests one channel may have running at once; more are refused with Overloaded (429). */
export const channelRequestsInFlightMax = 10_000;

/**
 * How often the server pings every open channel. A channel that has not answered the previous ping
 * (with a pong, or any message) by the next one is closed: its client is gone without closing (a
 * host powered off, a route lost), and TCP alone would not notice an idle connection to it for
 * hours, if ever, while it holds its socket and waiting receives. 30 s as many WebSocket servers
 * use (RabbitMQ's AMQP heartbeat is 60 s), so a vanished client is let go of within a minute.
 */
export const channelPingIntervalMs = 30_000;

/** Bytes a request may carry beyond the largest send body: its header. */
const channelHeaderBytesMax = 64 * 1024;

/**
 * Response header of the upgrade naming the largest message the channel takes. A larger one closes
 * the channel (1009) and with it every request in flight, so a client sends such a request over
 * HTTP instead, where it fails alone (413).
 */
const maxMessageBytesHeader = 'X-Chute-Channel-Max-Message-Bytes';

/**
 * Answer bytes the channel lets wait for a peer that does not read them before it stops reading
 * that peer's requests (until they are written): without a bound, a client that sends without
 * reading would have the broker hold every answer in memory.
 */
const channelAnswerBytesBufferedMax = 1024 * 1024;

/** Longest close reason WebSocket allows, in UTF-8 bytes (RFC 6455, section 5.5). */
const closeReasonBytesMax = 123;

/** WebSocket close code of a message that is not a channel request (RFC 6455: protocol error). */
const protocolErrorCode = 1002;
/** WebSocket close code of a server that is stopping (RFC 6455: going away). */
const goingAwayCode = 1001;

const checkReceive = bodyValidator<ReceiveBody>(receiveBodySchema);
const checkAck = bodyValidator<{ receipts: string[] }>(ackBodySchema);
const checkNack = bodyValidator<{ entries: Array<{ receipt: string; delayMs?: number }> }>(nackBodySchema);
const checkExtend = bodyValidator<{ entries: Array<{ receipt: string; visibilityTimeoutMs: number }> }>(extendBodySchema);
const checkFramedSend = bodyValidator<{ messages: FramedSendEntry[]; bodies: Buffer[] }>(framedSendSchema);

/** The fields a request header may have, besides `body` for the operations that take one. */
const headerFields: ReadonlySet<string> = new Set(['id', 'op', 'queue', 'body']);

/** An answer before encoding: status, the body as JSON text, and for receives the framed messages. */
interface Answer {
  status: number;
  bodyJson?: string;
  frame?: Buffer;
  retryAfterSeconds?: number;
}

/** Options of {@link registerChannel}. */
export interface ChannelOptions {
  /** How often every channel is pinged (ms); default {@link channelPingIntervalMs}. Tests shorten it. */
  pingIntervalMs?: number;
}

/**
 * Accepts channel upgrades on the server of `app`, pings the open channels and closes those that
 * do not answer, and closes the channels when the server closes.
 */
export function registerChannel(app: FastifyInstance, ctx: ApiContext, options: ChannelOptions = {}): void {
  const maxMessageBytes = Math.max(ctx.options.maxSendRequestBytes, ctx.options.maxControlRequestBytes) + channelHeaderBytesMax;
  // The channel speaks no subprotocol, so it selects none of those a client offers: a client that
  // needs one then fails its handshake, as RFC 6455 has it, instead of getting a name echoed back.
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes, handleProtocols: () => false });
  wss.on('headers', (headers) => headers.push(`${maxMessageBytesHeader}: ${maxMessageBytes}`));
  const open = new Set<Channel>();
  // One listener for every channel: a listener per channel (or per receive) on this long-lived
  // signal would pile up, and past ten Node warns of a leak.
  ctx.options.shutdownSignal?.addEventListener(
    'abort',
    () => {
      for (const c of open) c.endWaits();
    },
    { once: true },
  );
  // A shutdown that has waited its longest for requests still running closes the connections they
  // run on; those of channels are no longer the HTTP server's, so they are closed here. Closed at
  // once (terminate): a peer that does not answer the close handshake could otherwise hold the
  // shutdown up for ws's own close timeout (30 s).
  ctx.options.shutdownTimeoutSignal?.addEventListener(
    'abort',
    () => {
      for (const c of open) c.terminate();
    },
    { once: true },
  );
  // One timer for every channel, as for the shutdown signal; it does not keep the process alive.
  const heartbeat = setInterval(() => {
    for (const c of open) c.heartbeat();
  }, options.pingIntervalMs ?? channelPingIntervalMs);
  heartbeat.unref();
  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node takes its own error listener off a socket it hands over for an upgrade: without one, a
    // peer that resets the connection (while it is refused, say) would raise an uncaught error.
    socket.on('error', () => socket.destroy());
    const refusal = refuseUpgrade(ctx, request);
    if (refusal !== undefined) {
      // Closed once written: nothing reads this socket any more, so it would never see its peer's
      // end (past what it buffers) and stay open for good, holding up the server's shutdown too.
      socket.once('finish', () => socket.destroy());
      socket.end(refusal);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const channel = new Channel(ws, socket, ctx, principalOf(ctx, request), consumerLabel(ctx, request), app.log);
      open.add(channel);
      ws.once('close', () => open.delete(channel));
    });
  });
  // Waiting receives end with the shutdown signal and answer; the channels close once their
  // requests are answered, so nothing the broker did for them is lost with the connection.
  app.addHook('preClose', async () => {
    await Promise.all([...open].map((c) => c.closeWhenIdle()));
    wss.close();
  });
  app.addHook('onClose', (_instance, done) => {
    clearInterval(heartbeat);
    done();
  });
}

/** The HTTP answer refusing an upgrade, or undefined to accept it. */
function refuseUpgrade(ctx: ApiContext, request: IncomingMessage): string | undefined {
  const path = (request.url ?? '').split('?')[0];
  if (path !== channelPath) return httpRefusal(404, { code: 'RouteNotFound', message: `no WebSocket route at ${path ?? ''}; the channel is at ${channelPath}` });
  if (ctx.options.readiness?.() === 'stopping') return httpRefusal(503, { code: 'ShuttingDown', message: 'the server is shutting down; retry on a running server' });
  if (ctx.options.peerAllowed?.(request.socket.remoteAddress) === false) {
    return httpRefusal(403, { code: 'Forbidden', message: 'this server has no access tokens configured and accepts local connections only' });
  }
  try {
    principalOf(ctx, request);
  } catch (e) {
    const mapped = toHttpError(e);
    return httpRefusal(mapped.status, mapped.body.error);
  }
  return undefined;
}

function principalOf(ctx: ApiContext, request: IncomingMessage): Principal | null {
  return ctx.options.authenticate({ authorization: request.headers.authorization, remoteAddress: request.socket.remoteAddress });
}

/** The consumer label of the channel's receives, as RequestAccess.consumerLabel builds it for HTTP. */
function consumerLabel(ctx: ApiContext, request: IncomingMessage): string {
  const explicit = request.headers['x-chute-consumer'];
  if (typeof explicit === 'string' && explicit !== '') return explicit.slice(0, 200);
  const principal = principalOf(ctx, request);
  return `${principal === null ? 'anonymous' : principal.name}@${request.socket.remoteAddress ?? 'unknown'}`;
}

function httpRefusal(status: number, error: { code: string; message: string }): string {
  const body = JSON.stringify({ error });
  const auth = status === 401 ? 'WWW-Authenticate: Bearer\r\n' : '';
  const retry = status === 503 ? 'Retry-After: 1\r\n' : '';
  return `HTTP/1.1 ${status} ${error.code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${auth}${retry}Connection: close\r\n\r\n${body}`;
}

/** One open channel: its requests in flight and the receives it may cancel. */
class Channel {
  /** Requests running, by id; a receive's entry can end its wait (cancel, close, shutdown). */
  private readonly running = new Map<number, AbortController | null>();
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  /** The socket holds its writes until the current turn's answers are all written (see answer). */
  private corked = false;
  /** Reading requests is paused until the peer has read the answers waiting for it (see answer). */
  private paused = false;
  /** The peer answered the last ping, or sent anything, since the heartbeat last looked. */
  private alive = true;

  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Duplex,
    private readonly ctx: ApiContext,
    private readonly principal: Principal | null,
    private readonly consumer: string,
    private readonly log: FastifyBaseLogger,
  ) {
    ws.on('message', (data, isBinary) => {
      this.alive = true;
      this.onMessage(data, isBinary);
    });
    ws.on('pong', () => (this.alive = true));
    ws.once('close', () => {
      this.closed = true;
      this.endWaits();
      this.wakeIdle();
    });
    // A socket error is followed by close; without a listener it would be thrown.
    ws.on('error', () => undefined);
  }

  /** Resolves once no request is running, then closes the channel (going away). */
  async closeWhenIdle(): Promise<void> {
    if (this.running.size > 0 && !this.closed) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.ws.close(goingAwayCode, 'the server is shutting down');
  }

  /**
   * Called every ping interval: closes the channel when its peer answered nothing since the last
   * ping (see channelPingIntervalMs), and pings it otherwise. While the channel reads nothing from
   * its peer (answers wait for a peer that does not read them), a pong could not be seen, so the
   * peer is not judged, as RabbitMQ does not judge a connection it stopped reading; the answers
   * waiting there are in TCP's hands, which gives up on a peer that takes none of them.
   */
  heartbeat(): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.paused) {
      this.alive = true;
      return;
    }
    if (!this.alive) {
      this.log.info({ event: 'channel.unresponsive', consumer: this.consumer }, 'closing a channel whose client answered no ping');
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  /** Closes the connection at once, without a close handshake: requests still running lose their answers. */
  terminate(): void {
    this.ws.terminate();
  }

  /** Ends the wait of every waiting receive: they answer at once with what they hold. */
  endWaits(): void {
    for (const poll of this.running.values()) poll?.abort();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (!isBinary || !Buffer.isBuffer(data)) {
      this.ws.close(protocolErrorCode, 'channel messages are binary');
      return;
    }
    let request;
    try {
      request = decodeChannelRequest(data);
    } catch (e) {
      if (!(e instanceof ChannelProtocolError)) throw e;
      this.ws.close(protocolErrorCode, closeReason(e.message));
      return;
    }
    const { id, header, payload } = request;
    // A cancel is never answered and never refused: refusing it would answer under the id of the
    // receive it names, which then answers a second time.
    if (header.op === 'cancel') {
      this.running.get(id)?.abort();
      return;
    }
    if (this.running.has(id)) {
      this.answer(id, errorAnswer(invalidArgument('id', `id ${id} is already used by a request of this channel that has not been answered`)));
      return;
    }
    if (this.running.size >= channelRequestsInFlightMax) {
      this.answer(id, errorAnswer(new ChuteError('Overloaded', `more than ${channelRequestsInFlightMax} requests of this channel are running; wait for answers`, { retryAfterMs: 1000 })));
      return;
    }
    if (this.ctx.options.readiness?.() === 'stopping') {
      this.answer(id, errorAnswer(new ChuteError('ShuttingDown', 'the server is shutting down; retry on a running server', { retryAfterMs: 1000 })));
      return;
    }
    const poll = header.op === 'receive' ? new AbortController() : null;
    this.running.set(id, poll);
    this.perform(header, payload, data.length - payload.length, poll).then(
      (answer) => this.finish(id, answer),
      (e: unknown) => this.finish(id, errorAnswer(e, this.log)),
    );
  }

  private finish(id: number, answer: Answer): void {
    this.running.delete(id);
    this.answer(id, answer);
    if (this.running.size === 0) this.wakeIdle();
  }

  private answer(id: number, a: Answer): void {
    // A channel closed meanwhile has no one to answer; the request's work stands (like HTTP's).
    if (this.ws.readyState !== this.ws.OPEN) return;
    // Answers settled together (the sends of one commit, say) leave in one write: a socket write
    // is a system call that costs about as much as handling a small request.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.ws.send(encodeChannelAnswer(id, a.status, a.bodyJson, a.frame, a.retryAfterSeconds));
    // A peer that sends requests without reading the answers gets no more read until it has.
    if (!this.paused && this.ws.bufferedAmount > channelAnswerBytesBufferedMax) {
      this.paused = true;
      this.ws.pause();
      this.socket.once('drain', () => {
        this.paused = false;
        this.ws.resume();
      });
    }
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async perform(header: Record<string, unknown>, payload: Buffer, headerBytes: number, poll: AbortController | null): Promise<Answer> {
    const op = header.op;
    if (typeof op !== 'string' || !(channelOps as readonly string[]).includes(op)) {
      throw invalidArgument('op', `op must be one of ${channelOps.map((o) => JSON.stringify(o)).join(', ')}`);
    }
    const unknown = Object.keys(header).find((k) => !headerFields.has(k));
    if (unknown !== undefined) throw invalidArgument(unknown, `${unknown} is not a known field of a channel request`);
    const queue = header.queue;
    if (typeof queue !== 'string' || queue === '') throw invalidArgument('queue', 'queue must be the name of a queue');
    if (op === 'send') {
      if (header.body !== undefined) throw invalidArgument('body', 'a send carries its messages as a framed batch after the header, not in "body"');
    } else if (payload.length > 0) {
      throw invalidArgument('payload', `only a send carries bytes after the header; this ${op} has ${payload.length}`);
    }
    // The HTTP route's body limit, with its answer: a send's frame, or another request's header (its body).
    const limit = op === 'send' ? this.ctx.options.maxSendRequestBytes : this.ctx.options.maxControlRequestBytes;
    if ((op === 'send' ? payload.length : headerBytes) > limit) return requestTooLarge(limit);
    return this.run(op as Exclude<ChannelOp, 'cancel'>, queue, header.body ?? {}, payload, poll);
  }

  private async run(op: Exclude<ChannelOp, 'cancel'>, queue: string, body: unknown, payload: Buffer, poll: AbortController | null): Promise<Answer> {
    const { broker } = this.ctx;
    switch (op) {
      case 'send': {
        this.authorize('send', queue);
        this.ctx.options.admitSend?.();
        const { messages, bodies } = checkFramedSend(decodeFrame(payload, parseApiJson));
        const decode = (entry: FramedSendEntry, field: string, i: number): SendInput => decodeFramedSendEntry(entry, bodies[i] as Buffer, field);
        return { status: 200, bodyJson: sendResultsJson(await sendBatch(this.ctx, queue, messages, decode)) };
      }
      case 'receive':
        return this.receive(queue, checkReceive(body), poll as AbortController);
      case 'ack':
        this.authorize('receive', queue);
        return receiptAnswer(await broker.ack(queue, checkAck(body).receipts));
      case 'nack':
        this.authorize('receive', queue);
        return receiptAnswer(await broker.nack(queue, checkNack(body).entries));
      case 'extend':
        this.authorize('receive', queue);
        return receiptAnswer(await broker.extend(queue, checkExtend(body).entries));
    }
  }

  private async receive(queue: string, body: ReceiveBody, poll: AbortController): Promise<Answer> {
    this.authorize('receive', queue);
    const { bodyEncoding: _framedAlways, pollId, ...rest } = body;
    // The wait ends when the client cancels it, the channel closes or the server stops (endWaits,
    // which also covers a close or a stop that came before this point).
    if (this.closed || this.ctx.options.shutdownSignal?.aborted === true) poll.abort();
    const named = pollId === undefined ? undefined : this.ctx.polls.open(queue, pollId, poll.signal);
    let messages: ReceivedMessage[];
    try {
      messages = await this.ctx.broker.receive(queue, { ...rest, signal: named === undefined ? poll.signal : named.signal, consumer: this.consumer });
    } finally {
      named?.close();
    }
    return { status: 200, frame: encodeFrame(framedMessagesJson(messages), messages.map((m) => m.body)) };
  }

  private authorize(action: Action, name: string): void {
    this.ctx.options.authorize(this.principal, action, name);
  }
}

/** Ack, nack and extend answers: per-entry results, or the error itself when only one was asked (as over HTTP). */
function receiptAnswer(results: Awaited<ReturnType<ApiContext['broker']['ack']>>): Answer {
  const only = results.length === 1 ? results[0] : undefined;
  if (only !== undefined && !only.ok) return errorAnswer(only.error);
  return { status: 200, bodyJson: receiptResultsJson(results) };
}

/** The answer of a request over its HTTP route's body limit, as the route gives it. */
function requestTooLarge(limit: number): Answer {
  return { status: 413, bodyJson: JSON.stringify({ error: { code: 'RequestTooLarge', message: 'request body is larger than this route accepts', limit } }) };
}

/** `text` cut to WebSocket's longest close reason, on a character boundary (ws throws on a longer one). */
function closeReason(text: string): string {
  let out = text;
  while (Buffer.byteLength(out, 'utf8') > closeReasonBytesMax) out = out.slice(0, -1);
  // A cut between the halves of a surrogate pair would leave half a character.
  return /[\uD800-\uDBFF]$/.test(out) ? out.slice(0, -1) : out;
}

/** Any failure as the answer HTTP would give it: status, `{ error }` and Retry-After. */
function errorAnswer(e: unknown, log?: FastifyBaseLogger): Answer {
  const mapped = toHttpError(e);
  if (mapped.internal) log?.error({ err: e }, 'channel request failed');
  const answer: Answer = { status: mapped.status, bodyJson: JSON.stringify(mapped.body) };
  if (mapped.retryAfterSeconds !== undefined) answer.retryAfterSeconds = mapped.retryAfterSeconds;
  return answer;
}
