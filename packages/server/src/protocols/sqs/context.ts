/**
 * What every SQS action gets: the broker, how to name queues for this request, who is asking, and
 * the front-end's own state (move tasks, lease start times). Actions are plain async functions of
 * a context and a JSON-shaped input, so both wire protocols share them unchanged.
 */
import type { BrokerApi } from '../../core/broker-api.js';
import type { QueueInfo } from '../../core/types.js';
import { allActions, type Action, type Authorizer, type Principal } from '../auth-types.js';
import { SqsError } from './errors.js';
import type { LeaseStarts } from './lease-starts.js';
import type { MoveTasks } from './move-tasks.js';
import { optString, type SqsInput } from './params.js';
import { queueNameFromUrl, type QueueNaming } from './queue-url.js';

/** An action's output: the JSON 1.0 response body (the Query codec renders the same object as XML). */
export type SqsOutput = Record<string, unknown>;

/** The state and identity one SQS request runs with. */
export interface SqsContext {
  broker: BrokerApi;
  naming: QueueNaming;
  /** The caller, or null for an unsigned request the server accepts. */
  principal: Principal | null;
  authorize: Authorizer;
  moveTasks: MoveTasks;
  leaseStarts: LeaseStarts;
  /** Aborted when the client goes away or the server stops (ends long polls early). */
  signal: AbortSignal;
  /** Throws Overloaded while the broker refuses new messages (memory back-pressure). */
  admitSend: () => void;
  /** Label of the caller for the broker's consumer listing. */
  consumer: string;
  /** Queue named by the request path (`POST /{accountId}/{queueName}`), if any. */
  pathQueue: string | undefined;
  /** Epoch milliseconds. */
  now(): number;
}

/** One SQS action. */
export type SqsAction = (ctx: SqsContext, input: SqsInput) => Promise<SqsOutput>;

/** Checks one permission on one queue; the authorizer's refusal becomes AccessDenied by the error mapper. */
export function authorize(ctx: SqsContext, action: Action, queue: string): void {
  ctx.authorize(ctx.principal, action, queue);
}

/** True when the caller holds any permission on `queue` (reading a queue's URL or attributes needs one). */
export function mayTouch(ctx: SqsContext, queue: string): boolean {
  for (const action of allActions) {
    try {
      ctx.authorize(ctx.principal, action, queue);
      return true;
    } catch {
      // Refused for this action; another may still be granted.
    }
  }
  return false;
}

/** Like {@link mayTouch} but throws the refusal of the last action tried. */
export function authorizeAny(ctx: SqsContext, queue: string): void {
  let refusal: unknown;
  for (const action of allActions) {
    try {
      ctx.authorize(ctx.principal, action, queue);
      return;
    } catch (e) {
      refusal = e;
    }
  }
  throw refusal;
}

/** The queue an action addresses: its QueueUrl parameter, else the request path. */
export function targetQueue(ctx: SqsContext, input: SqsInput): string {
  const url = optString(input, 'QueueUrl');
  if (url !== undefined && url !== '') return queueNameFromUrl(url);
  if (ctx.pathQueue !== undefined) return ctx.pathQueue;
  throw new SqsError('MissingParameter', 'The request must contain the parameter QueueUrl.');
}

/** Loads a queue; a missing queue surfaces as QueueDoesNotExist through the error mapper. */
export function loadQueue(ctx: SqsContext, name: string): Promise<QueueInfo> {
  return ctx.broker.getQueue(name);
}
