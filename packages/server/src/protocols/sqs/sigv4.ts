/**
 * AWS Signature Version 4 verification of SQS requests signed in the `Authorization` header: the
 * server rebuilds the canonical request from what it received, signs it with the secret of the
 * access key named in the credential scope, and compares signatures in constant time. Secrets are
 * only ever used as HMAC keys here; nothing in this module logs or returns them.
 */
import crypto from 'node:crypto';
import { SqsError } from './errors.js';
import { SqsLimits } from './limits.js';

/** One configured access key: an id, its secret, and the principal name it signs in as. */
export interface SqsCredential {
  accessKeyId: string;
  secretAccessKey: string;
  name: string;
}

/** What the verifier needs of a request, exactly as received. */
export interface SignedRequest {
  method: string;
  /** The request path as sent (still percent-encoded), without the query string. */
  path: string;
  /** The raw query string without `?` ('' when none). */
  query: string;
  /** Header name (lower case) → every value received, in order. */
  headers: Map<string, string[]>;
  body: Buffer;
}

/** Options of {@link createSigV4Verifier}. */
export interface SigV4Options {
  credentials: SqsCredential[];
  /** Accept requests with no signature (as anonymous); with no credentials configured, also ignore signatures. */
  allowUnsigned: boolean;
  /** Epoch milliseconds, for the request-time check. */
  now: () => number;
}

/** Returns the signer's principal name, null for an accepted anonymous request, or throws an SqsError. */
export type SigV4Verifier = (request: SignedRequest) => string | null;

const algorithm = 'AWS4-HMAC-SHA256';

/** Builds a verifier over the configured credentials. */
export function createSigV4Verifier(options: SigV4Options): SigV4Verifier {
  const byKeyId = new Map(options.credentials.map((c) => [c.accessKeyId, c]));
  return (request) => {
    const header = firstHeader(request.headers, 'authorization');
    if (header === undefined || header.trim() === '') {
      if (options.allowUnsigned) return null;
      throw new SqsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
    }
    const auth = parseAuthorization(header);
    const credential = byKeyId.get(auth.accessKeyId);
    if (credential === undefined) {
      // Without configured credentials any signature is accepted: local tools sign with dummy keys.
      if (options.allowUnsigned && options.credentials.length === 0) return null;
      throw new SqsError('InvalidClientTokenId', 'The security token included in the request is invalid.');
    }
    const amzDate = requestDate(request.headers);
    if (!amzDate.startsWith(auth.date)) {
      throw new SqsError('SignatureDoesNotMatch', 'Date in Credential scope does not match the request date.');
    }
    const skewMs = Math.abs(options.now() - parseAmzDate(amzDate));
    if (!(skewMs <= SqsLimits.signatureClockSkewMs)) {
      throw new SqsError('RequestExpired', `Request has expired: the request time ${amzDate} is more than 15 minutes from the server's time.`);
    }
    const canonical = canonicalRequest(request, auth.signedHeaders);
    const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
    const stringToSign = [algorithm, amzDate, scope, sha256Hex(canonical)].join('\n');
    const key = signingKey(credential.secretAccessKey, auth.date, auth.region, auth.service);
    const expected = crypto.createHmac('sha256', key).update(stringToSign, 'utf8').digest();
    const given = Buffer.from(auth.signature, 'hex');
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
      throw new SqsError(
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      );
    }
    return credential.name;
  };
}

interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(header: string): ParsedAuthorization {
  const trimmed = header.trim();
  if (!trimmed.startsWith(`${algorithm} `)) {
    throw new SqsError('IncompleteSignature', `Unsupported authorization type: only ${algorithm} (Signature Version 4) is accepted.`);
  }
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(algorithm.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential === undefined || signedHeaders === undefined || signature === undefined || !/^[0-9a-f]{64}$/.test(signature)) {
    throw new SqsError('IncompleteSignature', 'Authorization header requires Credential, SignedHeaders and Signature parameters.');
  }
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || !/^\d{8}$/.test(scope[1]!)) {
    throw new SqsError('IncompleteSignature', 'Credential should be scoped to a valid region, service and date: KEY/YYYYMMDD/REGION/SERVICE/aws4_request.');
  }
  const names = signedHeaders.split(';');
  if (!names.includes('host')) throw new SqsError('IncompleteSignature', 'The host header must be signed.');
  return {
    accessKeyId: scope[0]!,
    date: scope[1]!,
    region: scope[2]!,
    service: scope[3]!,
    signedHeaders: names,
    signature,
  };
}

/** The request time from X-Amz-Date (or Date), in the basic ISO 8601 form SigV4 signs. */
function requestDate(headers: Map<string, string[]>): string {
  const amz = firstHeader(headers, 'x-amz-date');
  if (amz !== undefined && /^\d{8}T\d{6}Z$/.test(amz)) return amz;
  const date = firstHeader(headers, 'date');
  if (date !== undefined && !Number.isNaN(Date.parse(date))) {
    return new Date(Date.parse(date)).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  }
  throw new SqsError('IncompleteSignature', 'A signed request needs an X-Amz-Date header in the form YYYYMMDDTHHMMSSZ.');
}

function parseAmzDate(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate)!;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** The canonical request of SigV4 for a non-S3 service (path segments encoded a second time). */
export function canonicalRequest(request: SignedRequest, signedHeaders: string[]): string {
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${canonicalHeaderValue(request.headers.get(name) ?? [])}\n`).join('');
  return [
    request.method.toUpperCase(),
    canonicalUri(request.path),
    canonicalQuery(request.query),
    canonicalHeaders,
    signedHeaders.join(';'),
    payloadHash(request),
  ].join('\n');
}

function canonicalUri(path: string): string {
  if (path === '') return '/';
  return path
    .split('/')
    .map((segment) => encodeRfc3986(segment))
    .join('/');
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = query
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      const key = eq === -1 ? p : p.slice(0, eq);
      const value = eq === -1 ? '' : p.slice(eq + 1);
      return [encodeRfc3986(safeDecode(key)), encodeRfc3986(safeDecode(value))] as const;
    });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function canonicalHeaderValue(values: string[]): string {
  return values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',');
}

function payloadHash(request: SignedRequest): string {
  const actual = sha256Hex(request.body);
  const declared = firstHeader(request.headers, 'x-amz-content-sha256');
  if (declared === undefined) return actual;
  if (declared !== 'UNSIGNED-PAYLOAD' && declared !== actual) {
    throw new SqsError('SignatureDoesNotMatch', 'The provided x-amz-content-sha256 header does not match what was computed.');
  }
  return declared;
}

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = crypto.createHmac('sha256', `AWS4${secret}`).update(date, 'utf8').digest();
  const kRegion = crypto.createHmac('sha256', kDate).update(region, 'utf8').digest();
  const kService = crypto.createHmac('sha256', kRegion).update(service, 'utf8').digest();
  return crypto.createHmac('sha256', kService).update('aws4_request', 'utf8').digest();
}

function sha256Hex(data: string | Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** Percent-encodes everything but RFC 3986 unreserved characters, as SigV4 requires. */
function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, '%20'));
  } catch {
    return text;
  }
}

function firstHeader(headers: Map<string, string[]>, name: string): string | undefined {
  return headers.get(name)?.[0];
}
