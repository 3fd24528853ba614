/**
 * HTTP to the broker: one place that builds requests, maps error responses to typed errors and
 * retries what is safe to retry. Connections are kept alive (see exchange.ts), so batches and long
 * polls reuse sockets.
 */
import { backoffDelayMs, sleep, type BackoffOptions } from './backoff.js';
import { ChuteError, ConnectionError, TimeoutError, errorFromWire, type WireError } from './errors.js';
import { Channel, ChannelUnavailable, refusalOf, type ChannelAnswer, type ChannelOp } from './channel.js';
import type { Exchange, ExchangeResponse } from './exchange.js';
import { batchContentType, decodeFrame } from './frames.js';

/** Settings of the transport, resolved from the client options. */
export interface TransportOptions {
  /** Base URL of the broker, e.g. `http://127.0.0.1:7070`. */
  url: string;
  /** Bearer token, when the broker requires one. */
  token: string | undefined;
  /** Time limit of one attempt (long polls add their wait to it). */
  requestTimeoutMs: number;
  /** Retries after the first attempt for connection failures and 429/503 answers. */
  maxRetries: number;
  /** Delays between those retries. */
  retryBackoff: BackoffOptions;
  /** Performs one HTTP request (node:http by default, or a caller's fetch). */
  exchange: Exchange;
  /** Carry the requests that name a channel operation over the channel (channel.ts). */
  channel: boolean;
}

/** HTTP methods the API uses. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One request to the broker. */
export interface RequestSpec {
  method: HttpMethod;
  /** Path below the base URL, already percent-encoded, e.g. `/v1/queues/jobs`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON body. */
  body?: unknown;
  /** A framed batch body (frames.ts), sent instead of a JSON body. */
  frame?: Buffer;
  /** Ask for a framed batch answer; it then resolves as a `DecodedFrame` (frames.ts). */
  acceptFrames?: boolean;
  /**
   * True when repeating the request cannot do harm even if the first attempt reached the broker
   * (reads, PUT/PATCH/DELETE of settings). Requests that could not have reached it (connection
   * refused) and requests the broker refused (429, 503) are retried either way.
   */
  idempotent: boolean;
  /** Extra time allowed on top of the request timeout (a long poll's wait). */
  extraTimeoutMs?: number;
  /**
   * The same request as a channel operation on a queue. When set and the channel is on, the
   * request goes over the channel; `path` and `query` are then used only if the broker has none.
   */
  channel?: { op: ChannelOp; queue: string };
  /** Caller's abort signal; aborting rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Caller's signal that cancels the wait for an answer (a long poll): aborting it before the
   * answer starts rejects with its reason, while an answer already arriving is still returned.
   */
  waitSignal?: AbortSignal;
}

/** A successful answer: its status and parsed JSON body (undefined for 204). */
export interface ApiResponse<T> {
  status: number;
  body: T;
}

/** Socket error codes raised before a request left the machine: always safe to retry. */
const connectErrorCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** Default error code for an error response that carried no error body. */
const codeByStatus: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 413: 'MessageTooLarge', 429: 'Overloaded', 503: 'ShuttingDown' };

/**
 * Channel connections of one client. A queue's requests always take the same one (by its name),
 * so one queue's traffic keeps its order and its batching; several queues spread over several,
 * because on one connection a large answer (a receive of 500 messages of 16 KiB is 8 MiB) holds
 * up every answer behind it: ten consumers of a 16 KiB fan-out delivered 20-30% less over one
 * connection than over HTTP's connection per request.
 */
const channelConnections = 4;

/** Sends requests to one broker. */
export class Transport {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  /** The channel connections (none when the channel is off); see channelFor. */
  private readonly channels: Channel[];

  /** Creates a transport; nothing is connected until the first request. */
  constructor(private readonly options: TransportOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.headers = { accept: 'application/json' };
    if (options.token !== undefined && options.token !== '') this.headers.authorization = `Bearer ${options.token}`;
    const upgradeHeaders: Record<string, string> = options.token !== undefined && options.token !== '' ? { authorization: `Bearer ${options.token}` } : {};
    const count = options.channel ? channelConnections : 0;
    this.channels = Array.from({ length: count }, () => new Channel(this.base, upgradeHeaders, options.requestTimeoutMs));
  }

  /** Closes the channel connections that are open; a later request opens them again. */
  close(): void {
    for (const channel of this.channels) channel.close();
  }

  /** The channel connection of a queue's requests: always the same one for a queue. */
  private channelFor(queue: string): Channel | undefined {
    if (this.channels.length === 0) return undefined;
    let hash = 0;
    for (let i = 0; i < queue.length; i++) hash = (hash * 31 + queue.charCodeAt(i)) | 0;
    return this.channels[(hash >>> 0) % this.channels.length];
  }

  /** The broker's base URL. */
  get url(): string {
    return this.base;
  }

  /**
   * Sends a request, retrying connection failures and 429/503 answers with capped exponential
   * backoff (see {@link RequestSpec.idempotent}). Resolves with the parsed body of a 2xx answer;
   * rejects with a {@link ChuteError} (a {@link ConnectionError} when the broker stayed unreachable).
   */
  async request<T>(spec: RequestSpec): Promise<ApiResponse<T>> {
    const url = this.base + spec.path + queryString(spec.query);
    const headers = { ...this.headers };
    if (spec.acceptFrames === true) headers.accept = `${batchContentType}, application/json`;
    let body: string | Buffer | undefined;
    if (spec.frame !== undefined) {
      headers['content-type'] = batchContentType;
      body = spec.frame;
    } else if (spec.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.body);
    }
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt<T>(url, headers, body, spec);
      if (outcome.kind === 'ok') return outcome.response;
      if (outcome.kind === 'rejected') throw outcome.error;
      const canRetry = attempt <= this.options.maxRetries && (outcome.kind !== 'failed' || spec.idempotent);
      if (!canRetry) throw outcome.kind === 'busy' ? outcome.error : this.finalError(outcome, attempt);
      const delayMs = Math.max(backoffDelayMs(attempt, this.options.retryBackoff), outcome.kind === 'busy' ? (outcome.error.retryAfterMs ?? 0) : 0);
      if (spec.waitSignal?.aborted === true) throw spec.waitSignal.reason;
      await sleep(Math.min(delayMs, this.options.retryBackoff.maxMs), spec.signal ?? spec.waitSignal);
    }
  }

  private async attempt<T>(url: string, headers: Record<string, string>, body: string | Buffer | undefined, spec: RequestSpec): Promise<AttemptOutcome<T>> {
    const timeoutMs = this.options.requestTimeoutMs + (spec.extraTimeoutMs ?? 0);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = spec.signal === undefined ? timeout : AbortSignal.any([spec.signal, timeout]);
    const channel = spec.channel === undefined ? undefined : this.channelFor(spec.channel.queue);
    if (spec.channel !== undefined && channel?.usable === true) {
      const outcome = await this.channelAttempt<T>(channel, spec, spec.channel, signal, timeout, timeoutMs);
      if (outcome !== undefined) return outcome;
    }
    let res: ExchangeResponse;
    try {
      res = await this.options.exchange({ method: spec.method, url, headers, body, signal, ...(spec.waitSignal !== undefined && { waitSignal: spec.waitSignal }) });
    } catch (e) {
      if (spec.signal?.aborted) throw spec.signal.reason;
      if (spec.waitSignal?.aborted) throw spec.waitSignal.reason;
      if (timeout.aborted) return { kind: 'failed', error: new TimeoutError(`${spec.method} ${url} timed out after ${timeoutMs} ms`, timeoutMs) };
      return { kind: connectErrorCodes.has(socketErrorCode(e)) ? 'refused' : 'failed', error: e };
    }
    if (res.status >= 200 && res.status < 300) {
      const framed = res.header('content-type')?.startsWith(batchContentType) === true;
      return { kind: 'ok', response: { status: res.status, body: framed ? (decodeFrame(res.body) as T) : parseBody<T>(res.body.toString('utf8'), res.status) } };
    }
    const error = responseError(res, res.body.toString('utf8'));
    return { kind: res.status === 429 || res.status === 503 ? 'busy' : 'rejected', error };
  }

  /** One attempt over the channel; undefined when the broker has none (then HTTP is used). */
  private async channelAttempt<T>(
    channel: Channel,
    spec: RequestSpec,
    target: { op: ChannelOp; queue: string },
    signal: AbortSignal,
    timeout: AbortSignal,
    timeoutMs: number,
  ): Promise<AttemptOutcome<T> | undefined> {
    let answer: ChannelAnswer;
    try {
      answer = await channel.request(target.op, target.queue, spec.frame === undefined ? spec.body : undefined, spec.frame, signal, spec.waitSignal);
    } catch (e) {
      if (e instanceof ChannelUnavailable) return undefined;
      if (spec.signal?.aborted) throw spec.signal.reason;
      if (spec.waitSignal?.aborted) throw spec.waitSignal.reason;
      if (timeout.aborted) return { kind: 'failed', error: new TimeoutError(`${target.op} on ${target.queue} over the channel timed out after ${timeoutMs} ms`, timeoutMs) };
      const refusal = refusalOf(e);
      if (refusal !== undefined) answer = { ...refusal, frame: undefined };
      else return { kind: connectErrorCodes.has(socketErrorCode(e)) ? 'refused' : 'failed', error: e };
    }
    if (answer.status >= 200 && answer.status < 300) {
      return { kind: 'ok', response: { status: answer.status, body: (answer.frame !== undefined ? decodeFrame(answer.frame) : answer.body) as T } };
    }
    const wire = (answer.body as { error?: WireError } | undefined)?.error;
    const error = errorFromWire(
      wire !== undefined && typeof wire.code === 'string' ? wire : { code: codeByStatus[answer.status] ?? 'BadResponse', message: `HTTP ${answer.status}` },
      answer.status,
      answer.retryAfterSeconds === undefined ? undefined : answer.retryAfterSeconds * 1000,
    );
    return { kind: answer.status === 429 || answer.status === 503 ? 'busy' : 'rejected', error };
  }

  private finalError(outcome: Exclude<AttemptOutcome<unknown>, { kind: 'ok' }>, attempts: number): ChuteError {
    if (outcome.error instanceof ChuteError) return outcome.error;
    const code = socketErrorCode(outcome.error);
    const what = code === '' ? describe(outcome.error) : code;
    return new ConnectionError(`cannot reach the broker at ${this.base}: ${what} (after ${attempts} attempt${attempts === 1 ? '' : 's'})`, attempts, outcome.error);
  }
}

type AttemptOutcome<T> =
  | { kind: 'ok'; response: ApiResponse<T> }
  /** The connection could not be made: the broker never saw the request. */
  | { kind: 'refused'; error: unknown }
  /** The request may or may not have reached the broker (reset, timeout). */
  | { kind: 'failed'; error: unknown }
  /** The broker refused for now (429/503): it did nothing. */
  | { kind: 'busy'; error: ChuteError }
  /** The broker answered with an error that retrying will not fix. */
  | { kind: 'rejected'; error: ChuteError };

function queryString(query: RequestSpec['query']): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

function parseBody<T>(text: string, status: number): T {
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new ChuteError('BadResponse', `the broker answered ${status} with a body that is not JSON`, { status, cause: e });
  }
}

function responseError(res: ExchangeResponse, text: string): ChuteError {
  const retryAfter = res.header('retry-after');
  const retryAfterMs = retryAfter !== undefined && /^\d+(\.\d+)?$/.test(retryAfter) ? Math.round(Number(retryAfter) * 1000) : undefined;
  let wire: WireError | undefined;
  try {
    const parsed = JSON.parse(text) as { error?: WireError };
    if (parsed.error !== undefined && typeof parsed.error.code === 'string') wire = parsed.error;
  } catch {
    // Not JSON (a proxy's error page, say): fall back to a code derived from the status.
  }
  wire ??= { code: codeByStatus[res.status] ?? 'BadResponse', message: `HTTP ${res.status} ${res.statusText}`.trim() };
  return errorFromWire(wire, res.status, retryAfterMs);
}

/** Digs the socket error code out of fetch's `TypeError: fetch failed` (possibly an AggregateError inside). */
function socketErrorCode(e: unknown): string {
  for (let cur: unknown = e, depth = 0; cur !== undefined && cur !== null && depth < 5; depth++) {
    const obj = cur as { code?: unknown; cause?: unknown; errors?: unknown[] };
    if (typeof obj.code === 'string' && obj.code !== '') return obj.code;
    if (Array.isArray(obj.errors) && obj.errors.length > 0) cur = obj.errors[0];
    else cur = obj.cause;
  }
  return '';
}

function describe(e: unknown): string {
  return e instanceof Error ? (e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message) : String(e);
}
