/**
 * Shared set-up of the SQS end-to-end tests: a real `chute serve` configured with credentials (so
 * every request is SigV4-signed and verified), SDK clients for them, and random queue names.
 */
import crypto from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
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
