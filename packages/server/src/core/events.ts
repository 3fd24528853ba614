/**
 * Lifecycle events of queues and topics, reported by the Broker whatever protocol caused them,
 * so that the server logs them once for the native API, the SQS API and the console alike.
 */

/** One lifecycle event. */
export type BrokerEvent =
  | { type: 'queue.created'; queue: string; fifo: boolean; durable: boolean }
  | { type: 'queue.updated'; queue: string }
  | { type: 'queue.deleted'; queue: string }
  | { type: 'queue.purged'; queue: string; purged: number }
  | { type: 'queue.redriven'; queue: string; to?: string; moved: number }
  | { type: 'topic.created'; topic: string }
  | { type: 'topic.deleted'; topic: string }
  | { type: 'topic.subscribed'; topic: string; queue: string }
  | { type: 'topic.unsubscribed'; topic: string; queue: string };

/** Receives lifecycle events; it must not throw. */
export type BrokerEventListener = (event: BrokerEvent) => void;
