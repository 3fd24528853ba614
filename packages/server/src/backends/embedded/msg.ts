/**
 * The in-memory index entry of one message. Bodies and headers of durable queues stay on disk;
 * only this small record is held in memory, so a backlog larger than RAM still fits.
 */
import type { DeadLetterInfo, Headers } from '../../core/types.js';

/** Where a message is in its lifecycle. */
export const enum MsgState {
  /** Sent but its commit has not finished: not visible yet. */
  Pending = 0,
  Ready = 1,
  Scheduled = 2,
  Leased = 3,
  /** Acked, expired, purged or moved away: any index entry still pointing here is stale. */
  Gone = 4,
}

/** Body, headers and dedup id of a message of a non-durable queue (kept in memory). */
export interface MemBody {
  body: Uint8Array;
  headers: Headers;
  dedupId: string | undefined;
}

/** One message in the index of its queue. */
export class Msg {
  state: MsgState = MsgState.Pending;
  /** Lease end, meaningful while Leased. */
  leaseDeadline = 0;
  /** Epoch ms of the first lease; 0 = never leased. */
  firstDeliveredAt = 0;
  /** FIFO: this message was nacked with a delay and keeps its group blocked until it is ready again. */
  holdsGroup = false;
  deadLetter: DeadLetterInfo | undefined = undefined;
  mem: MemBody | undefined = undefined;

  constructor(
    /** Broker-wide sequence number: the storage key and the order of the message. */
    readonly seq: number,
    /** Internal id of the queue holding it (changes when dead-lettered or redriven). */
    public queueId: number,
    readonly enqueuedAt: number,
    /** When it becomes (or became) ready. */
    public visibleAt: number,
    /** When it expires (retention or TTL). */
    public expiresAt: number,
    public deliveryCount: number,
    readonly priority: number,
    /** Body size in bytes. */
    readonly size: number,
    /** CRC-32 of the body, checked whenever the body is read back from disk. */
    readonly crc: number,
    readonly groupId: string | undefined,
  ) {}
}
