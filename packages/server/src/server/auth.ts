/**
 * The server's access policy: bearer tokens from the config file, each with permissions per
 * queue-name pattern; without tokens, only loopback peers (unless `--insecure`). Front-ends get
 * this policy through the {@link Authenticator} and {@link Authorizer} types and never see tokens.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import {
  AccessError,
  type Action,
  type Authenticator,
  type Authorizer,
  type Permission,
} from '../protocols/auth-types.js';
import type { TokenConfig } from './config.js';

/** Everything the server and its front-ends need to decide who may do what. */
export interface AccessPolicy {
  /** True when tokens are configured and every API request must present one. */
  tokensRequired: boolean;
  /** Resolves a bearer token to a principal (see {@link Authenticator}). */
  authenticate: Authenticator;
  /** Checks one action on one queue or topic (see {@link Authorizer}). */
  authorize: Authorizer;
  /** Whether a peer may talk to the server at all (the loopback rule without tokens). */
  peerAllowed(remoteAddress: string | undefined): boolean;
}

interface StoredToken {
  name: string;
  /** SHA-256 of the secret: comparing fixed-size digests keeps the comparison constant-time. */
  digest: Buffer;
  permissions: Permission[];
}

/** Builds the access policy from the configured tokens. */
export function createAccessPolicy(tokens: TokenConfig[], insecure: boolean): AccessPolicy {
  const stored: StoredToken[] = tokens.map((t) => ({ name: t.name, digest: sha256(t.token), permissions: t.permissions }));
  const byName = new Map(stored.map((t) => [t.name, t]));
  const tokensRequired = stored.length > 0;

  const authenticate: Authenticator = ({ authorization }) => {
    if (!tokensRequired) return null;
    const presented = bearerToken(authorization);
    if (presented === null) throw new AccessError('Unauthorized', 'this server requires an access token: send "Authorization: Bearer <token>"');
    const digest = sha256(presented);
    // Compare against every token without stopping early, so timing says nothing about which matched.
    let match: StoredToken | undefined;
    for (const t of stored) if (crypto.timingSafeEqual(digest, t.digest) && match === undefined) match = t;
    if (match === undefined) throw new AccessError('Unauthorized', 'the access token is not valid');
    return { name: match.name, permissions: match.permissions };
  };

  const authorize: Authorizer = (principal, action, queueOrTopic) => {
    if (!tokensRequired) return;
    if (principal === null) throw new AccessError('Unauthorized', 'this server requires an access token');
    const permissions = principal.permissions.length > 0 ? principal.permissions : (byName.get(principal.name)?.permissions ?? []);
    if (!permits(permissions, action, queueOrTopic)) {
      throw new AccessError('Forbidden', `token "${principal.name}" may not ${action} on "${queueOrTopic}"`);
    }
  };

  const peerAllowed = (remoteAddress: string | undefined): boolean =>
    tokensRequired || insecure || (remoteAddress !== undefined && isLoopbackAddress(remoteAddress));

  return { tokensRequired, authenticate, authorize, peerAllowed };
}

/** True when some permission grants `action` on `name`. */
export function permits(permissions: Permission[], action: Action, name: string): boolean {
  return permissions.some((p) => p.actions.includes(action) && matchPattern(p.queues, name));
}

/** Matches a name against a pattern where `*` stands for any run of characters (including none). */
export function matchPattern(pattern: string, name: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === name;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (name.length < first.length + last.length || !name.startsWith(first) || !name.endsWith(last)) return false;
  let at = first.length;
  const end = name.length - last.length;
  for (const middle of parts.slice(1, -1)) {
    const found = name.indexOf(middle, at);
    if (found === -1 || found + middle.length > end) return false;
    at = found + middle.length;
  }
  return true;
}

/** The token of an `Authorization: Bearer <token>` header, or null when there is none. */
function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m === null ? null : m[1]!;
}

function sha256(text: string): Buffer {
  return crypto.createHash('sha256').update(text, 'utf8').digest();
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback addresses. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (net.isIPv4(a)) return a.startsWith('127.');
  return a === '::1';
}

/** True when binding to `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || isLoopbackAddress(host);
}

