import assert from 'node:assert/strict';
import { test } from 'node:test';
import crypto from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { SqsError } from '../../src/protocols/sqs/errors.js';
import { createSigV4Verifier, type SignedRequest } from '../../src/protocols/sqs/sigv4.js';

/** The SHA-256 / HMAC-SHA-256 hash the signer asks for, from node:crypto. */
class Sha256 {
  private readonly hash: crypto.Hash | crypto.Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? crypto.createHash('sha256') : crypto.createHmac('sha256', toBytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

function toBytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

const credential = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', name: 'app' };
const now = Date.UTC(2024, 0, 2, 3, 4, 5);

/** Signs a request the way the AWS SDK does and returns it as the server would receive it. */
async function signed(
  body: string,
  options: { secret?: string; path?: string; query?: Record<string, string>; signingDate?: Date; contentType?: string } = {},
): Promise<SignedRequest> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: credential.accessKeyId, secretAccessKey: options.secret ?? credential.secretAccessKey },
    region: 'eu-west-1',
    service: 'sqs',
    sha256: Sha256,
  });
  const request = {
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 7070,
    path: options.path ?? '/',
    query: options.query ?? {},
    headers: {
      host: '127.0.0.1:7070',
      'content-type': options.contentType ?? 'application/x-amz-json-1.0',
      'x-amz-target': 'AmazonSQS.ListQueues',
    },
    body,
  };
  const out = await signer.sign(request, { signingDate: options.signingDate ?? new Date(now) });
  const headers = new Map<string, string[]>();
  for (const [k, v] of Object.entries(out.headers)) headers.set(k.toLowerCase(), [String(v)]);
  const query = new URLSearchParams(out.query as Record<string, string>).toString();
  return { method: 'POST', path: out.path, query, headers, body: Buffer.from(body) };
}

function verifier(allowUnsigned = false) {
  return createSigV4Verifier({ credentials: [credential], allowUnsigned, now: () => now });
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SqsError, `expected an SqsError, got ${String(e)}`);
    return e.errorName;
  }
  return 'accepted';
}

test('a request signed by @smithy/signature-v4 verifies and names its principal', async () => {
  assert.equal(verifier()(await signed('{"QueueNamePrefix":"a"}')), 'app');
});

test('a queue-URL path and a query string are part of the canonical request', async () => {
  const req = await signed('Action=ListQueues', { path: '/000000000000/my-queue', query: { b: '2 3', a: 'x/y' }, contentType: 'application/x-www-form-urlencoded' });
  assert.equal(verifier()(req), 'app');
});

test('a changed body no longer verifies', async () => {
  const req = await signed('{"QueueNamePrefix":"a"}');
  req.body = Buffer.from('{"QueueNamePrefix":"b"}');
  assert.equal(code(() => verifier()(req)), 'SignatureDoesNotMatch');
});

test('a wrong secret is SignatureDoesNotMatch, an unknown key InvalidClientTokenId', async () => {
  const wrongSecret = await signed('{}', { secret: 'not-the-secret' });
  assert.equal(code(() => verifier()(wrongSecret)), 'SignatureDoesNotMatch');
  const other = createSigV4Verifier({ credentials: [{ ...credential, accessKeyId: 'OTHER' }], allowUnsigned: false, now: () => now });
  assert.equal(code(() => other(wrongSecret)), 'InvalidClientTokenId');
});

test('a request signed more than 15 minutes away from the server clock is RequestExpired', async () => {
  const old = await signed('{}', { signingDate: new Date(now - 16 * 60 * 1000) });
  assert.equal(code(() => verifier()(old)), 'RequestExpired');
  const recent = await signed('{}', { signingDate: new Date(now - 14 * 60 * 1000) });
  assert.equal(verifier()(recent), 'app');
});

test('unsigned requests: refused unless allowed, then anonymous', () => {
  const req: SignedRequest = { method: 'POST', path: '/', query: '', headers: new Map([['host', ['127.0.0.1']]]), body: Buffer.alloc(0) };
  assert.equal(code(() => verifier(false)(req)), 'MissingAuthenticationToken');
  assert.equal(verifier(true)(req), null);
});

test('without configured credentials, dummy signatures of local tools are accepted as anonymous', async () => {
  const open = createSigV4Verifier({ credentials: [], allowUnsigned: true, now: () => now });
  assert.equal(open(await signed('{}', { secret: 'anything' })), null);
});

test('a malformed Authorization header is IncompleteSignature', () => {
  const req: SignedRequest = {
    method: 'POST',
    path: '/',
    query: '',
    headers: new Map([['authorization', ['AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/eu-west-1/sqs/aws4_request']]]),
    body: Buffer.alloc(0),
  };
  assert.equal(code(() => verifier()(req)), 'IncompleteSignature');
});
