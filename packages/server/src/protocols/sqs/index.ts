/**
 * The Amazon SQS-compatible API. Placeholder with the agreed signature so that the server can be
 * wired before the front-end lands; it registers no routes yet.
 */
import type { FastifyInstance } from 'fastify';
import type { BrokerApi } from '../../core/broker-api.js';
import type { Authorizer } from '../auth-types.js';

/** Options of {@link registerSqs}. */
export interface SqsOptions {
  broker: BrokerApi;
  accountId: string;
  region: string;
  externalUrl?: string;
  credentials: Array<{ accessKeyId: string; secretAccessKey: string; name: string }>;
  allowUnsigned: boolean;
  authorize: Authorizer;
}

/** Registers the SQS API routes (`POST /` and `POST /:accountId/:queueName`). */
export async function registerSqs(_app: FastifyInstance, _opts: SqsOptions): Promise<void> {}
