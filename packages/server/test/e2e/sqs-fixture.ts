/**
 * Shared set-up of the SQS end-to-end tests: a real `chute serve` configured with credentials (so
 * every request is SigV4-signed and verified), SDK clients for them, and random queue names.
 */
import crypto from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SignatureV4 } from '@smithy/signature-v4';
import { startServer, type RunningServer } from '../support/server-process.js';

/** The full-access credential: SQS access key id and secret (also the native API's bearer token). */
export const admin = { name: 'sqs-admin', accessKeyId: 'AKIDSQSADMIN', secretAccessKey: 'admin-secret-0123456789' };
/** A credential that may only receive from queues named `ro-*`. */
export const reader = { name: 'sqs-reader', accessKeyId: 'AKIDSQSREADER', secretAccessKey: 'reader-secret-0123456789' };

/** Starts a server whose config holds the two credentials. */
export function startSqsServer(): Promise<RunningServer> {
  return startServer({
    config: {
      tokens: [
        { name: admin.name, token: admin.secretAccessKey, accessKeyId: admin.accessKeyId, permissions: [{ queues: '*', actions: ['send', 'receive', 'manage'] }] },
        { name: reader.name, token: reader.secretAccessKey, accessKeyId: reader.accessKeyId, permissions: [{ queues: 'ro-*', actions: ['receive'] }] },
      ],
    },
  });
}

/** An SDK client signing as `who` (default: admin) against `endpoint`. */
export function sqsClient(endpoint: string, who: { accessKeyId: string; secretAccessKey: string } = admin): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: who.accessKeyId, secretAccessKey: who.secretAccessKey },
    // One attempt: a test must see the server's first answer, not a retried one.
    maxAttempts: 1,
  });
}

/** A fresh queue name with the given prefix. */
export function queueName(prefix: string, fifo = false): string {
  return `${prefix}-${crypto.randomBytes(5).toString('hex')}${fifo ? '.fifo' : ''}`;
}

/** The error an SDK call rejected with. */
export async function sdkError(p: Promise<unknown>): Promise<Error & { Code?: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { Code?: string };
  }
  throw new Error('expected the call to fail');
}

/** The SHA-256 / HMAC-SHA-256 hash the SigV4 signer asks for, from node:crypto. */
class NodeSha256 {
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

/**
 * Sends a hand-built Query protocol request (form-encoded, `Action=…`), signed with
 * `@smithy/signature-v4` as `who`, to `path` of the server; returns the status and XML body.
 */
export async function queryRequest(
  baseUrl: string,
  params: Record<string, string>,
  options: { path?: string; who?: { accessKeyId: string; secretAccessKey: string } | null } = {},
): Promise<{ status: number; body: string }> {
  const url = new URL(options.path ?? '/', baseUrl);
  const body = new URLSearchParams({ Version: '2012-11-05', ...params }).toString();
  let headers: Record<string, string> = { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
  const who = options.who === undefined ? admin : options.who;
  if (who !== null) {
    const signer = new SignatureV4({ credentials: who, region: 'us-east-1', service: 'sqs', sha256: NodeSha256 });
    const signedRequest = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: {},
      headers,
      body,
    });
    headers = signedRequest.headers;
  }
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, body: await res.text() };
}

/** The text of the first `<name>` element of an XML document, or undefined. */
export function xmlText(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}
