/**
 * What every route of the native API shares: the broker, the access policy seen through the
 * front-end types, request-size limits, and the server's hooks for memory pressure, readiness and
 * shutdown. Resource files receive one {@link ApiContext}; they never reach for the server layer.
 */
import type { FastifyRequest } from 'fastify';
import type { BrokerApi } from '../../core/broker-api.js';
import type { NamedPolls } from './named-polls.js';
import { allActions, type Action, type Authenticator, type Authorizer, type Principal } from '../auth-types.js';

/** Whether the server is ready for traffic, as `GET /healthz` reports it. */
export type Readiness = 'starting' | 'ok' | 'stopping';

/** Options of `registerHttpApi`. */
export interface HttpApiOptions {
  broker: BrokerApi;
  /** Resolves the bearer token of each `/v1` request (null = server without tokens). */
  authenticate: Authenticator;
  /** Decides each action on each queue or topic. */
  authorize: Authorizer;
  /** Largest body of a send or publish request, in bytes. */
  maxSendRequestBytes: number;
  /** Largest body of every other request, in bytes. */
  maxControlRequestBytes: number;
  /** Called before each send or publish; throws Overloaded (429) while the process is short of memory. */
  admitSend?: () => void;
  /** Readiness for `/healthz`; default always `ok`. */
  readiness?: () => Readiness;
  /** False for a peer the server does not talk to (a remote address of a server without tokens). */
  peerAllowed?: (remoteAddress: string | undefined) => boolean;
  /** Aborted when the server begins to shut down: waiting long polls return at once, empty. */
  shutdownSignal?: AbortSignal;
  /**
   * Aborted when a shutdown has waited its longest (`limits.shutdownTimeoutMs`) for requests still
   * running: channels still open are then closed at once, as the HTTP connections are.
   */
  shutdownTimeoutSignal?: AbortSignal;
}

/** The shared state handed to every resource's route registration. */
export interface ApiContext {
  broker: BrokerApi;
  options: HttpApiOptions;
  access: RequestAccess;
  /** Long polls named by the client, whether they came over HTTP or the channel. */
  polls: NamedPolls;
}

/** Authentication and authorization of requests, remembered per request. */
export class RequestAccess {
  private readonly principals = new WeakMap<FastifyRequest, Principal | null>();

  constructor(
    private readonly authenticateFn: Authenticator,
    private readonly authorizeFn: Authorizer,
  ) {}

  /** Authenticates a request once (throws AccessError Unauthorized); later calls reuse the answer. */
  authenticate(request: FastifyRequest): Principal | null {
    if (this.principals.has(request)) return this.principals.get(request) ?? null;
    const principal = this.authenticateFn({ authorization: request.headers.authorization, remoteAddress: request.socket.remoteAddress });
    this.principals.set(request, principal);
    return principal;
  }

  /** Throws AccessError unless the request may do `action` on `name`. */
  require(request: FastifyRequest, action: Action, name: string): void {
    this.authorizeFn(this.authenticate(request), action, name);
  }

  /** Throws unless the request may do at least one action on `name` (enough to look at it). */
  requireAny(request: FastifyRequest, name: string): void {
    let refusal: unknown;
    for (const action of allActions) {
      try {
        this.require(request, action, name);
        return;
      } catch (e) {
        refusal = e;
      }
    }
    throw refusal;
  }

  /** True when the request may do at least one action on `name` (for filtering listings). */
  canSee(request: FastifyRequest, name: string): boolean {
    try {
      this.requireAny(request, name);
      return true;
    } catch {
      return false;
    }
  }

  /** A label for consumer listings: the token name (or `anonymous`) and the peer address. */
  consumerLabel(request: FastifyRequest): string {
    const explicit = request.headers['x-chute-consumer'];
    if (typeof explicit === 'string' && explicit !== '') return explicit.slice(0, 200);
    const principal = this.authenticate(request);
    return `${principal === null ? 'anonymous' : principal.name}@${request.socket.remoteAddress ?? 'unknown'}`;
  }
}
