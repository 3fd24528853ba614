/**
 * Who may do what: the types every protocol front-end shares to ask the server's access policy.
 * The policy itself (tokens, patterns, loopback rule) lives in `src/server/auth.ts`; front-ends
 * only see these types, so protocols never depend on the server layer.
 */

/** The three things a caller can be allowed to do to a queue or topic. */
export type Action = 'send' | 'receive' | 'manage';

/** Every action, in a fixed order (for "any permission" checks and docs). */
export const allActions: readonly Action[] = ['send', 'receive', 'manage'];

/** One grant: the actions allowed on every queue or topic whose name matches the pattern. */
export interface Permission {
  /** Name pattern; `*` matches any run of characters (`orders-*`, `*`). Topics use the same patterns. */
  queues: string;
  actions: Action[];
}

/** An authenticated caller: the name of its token (or credential) and what it may do. */
export interface Principal {
  name: string;
  /**
   * The grants of this caller. A front-end that only knows a credential name (SQS) may pass an
   * empty list; the server's authorizer then uses the grants configured under that name.
   */
  permissions: Permission[];
}

/**
 * Decides whether `principal` may do `action` to the queue or topic named `queueOrTopic`.
 * Returns normally when allowed and throws {@link AccessError} otherwise. `principal` is null for
 * a caller that presented no credentials; that is allowed only when the server runs without
 * tokens (loopback-only or `--insecure`).
 */
export type Authorizer = (principal: Principal | null, action: Action, queueOrTopic: string) => void;

/** Why access was refused: no valid credentials (401) or credentials without the permission (403). */
export type AccessErrorCode = 'Unauthorized' | 'Forbidden';

/** The error an {@link Authorizer} or authenticator throws; each protocol maps it to its wire form. */
export class AccessError extends Error {
  /** `Unauthorized` (missing or wrong credentials) or `Forbidden` (valid but not allowed). */
  readonly code: AccessErrorCode;

  constructor(code: AccessErrorCode, message: string) {
    super(message);
    this.name = 'AccessError';
    this.code = code;
  }
}

/** Returns true when `e` is an {@link AccessError}. */
export function isAccessError(e: unknown): e is AccessError {
  return e instanceof AccessError;
}

/** What an authenticator sees of a request: its Authorization header and the peer address. */
export interface RequestCredentials {
  /** The raw `Authorization` header, if any. */
  authorization: string | undefined;
  /** The peer's IP address as the socket reports it. */
  remoteAddress: string | undefined;
}

/**
 * Turns a request's bearer token into a principal. Returns null when the server runs without
 * tokens (anyone allowed to reach it may act); throws {@link AccessError} `Unauthorized` when
 * tokens are configured and the request has none or a wrong one.
 */
export type Authenticator = (request: RequestCredentials) => Principal | null;
