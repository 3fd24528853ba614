/**
 * Messages as receive and peek hand them to callers: raw bytes plus helpers that decode them
 * according to the `content-type` header the sender set.
 */
import { isUtf8 } from 'node:buffer';
import { contentTypeHeader, decodeHeaders, findHeader, jsonContentType, textContentType } from './codec.js';
import type { OutcomeCallback } from './coalescer.js';
import type { DeadLetterInfo, MessageHeaders } from './types.js';
import type { FramedMessage, WireMessage } from './wire.js';

/** A stored message (as peek returns it). The body is decoded from the wire lazily. */
export class Message {
  /** Broker-assigned id, unique and sortable by enqueue time. */
  readonly id: string;
  /** Broker-wide sequence number. */
  readonly sequence: string;
  /** Headers, bytes values as Buffers. */
  readonly headers: MessageHeaders;
  /** 0 to 9. */
  readonly priority: number;
  /** FIFO group, if any. */
  readonly groupId: string | undefined;
  /** Deduplication id, if any. */
  readonly dedupId: string | undefined;
  /** Epoch milliseconds of the original send. */
  readonly enqueuedAt: number;
  /** Leases granted so far, including the current one. */
  readonly deliveryCount: number;
  /** Epoch milliseconds of the first lease, if any. */
  readonly firstDeliveredAt: number | undefined;
  /** Why and from where the message was dead-lettered, when it sits in a dead-letter queue. */
  readonly deadLetter: DeadLetterInfo | undefined;

  /** The body as JSON carried it, when it came as JSON. */
  private readonly wireBody: string | undefined;
  private readonly wireEncoding: 'utf8' | 'base64';
  private bytes: Buffer | undefined;

  /** Builds a message from its JSON wire form, or from a framed entry and its body bytes. */
  constructor(wire: WireMessage);
  constructor(wire: FramedMessage, body: Buffer);
  constructor(wire: WireMessage | FramedMessage, body?: Buffer) {
    this.id = wire.id;
    this.sequence = wire.sequence;
    this.headers = decodeHeaders(wire.headers);
    this.priority = wire.priority;
    this.groupId = wire.groupId;
    this.dedupId = wire.dedupId;
    this.enqueuedAt = wire.enqueuedAt;
    this.deliveryCount = wire.deliveryCount;
    this.firstDeliveredAt = wire.firstDeliveredAt;
    this.deadLetter = wire.deadLetter;
    if ('body' in wire) {
      this.wireBody = wire.body;
      this.wireEncoding = wire.bodyEncoding === 'base64' ? 'base64' : 'utf8';
    } else {
      this.wireBody = undefined;
      this.wireEncoding = 'utf8';
      this.bytes = body ?? Buffer.alloc(0);
    }
  }

  /** The body, byte for byte as it was sent. */
  get body(): Buffer {
    this.bytes ??= Buffer.from(this.wireBody ?? '', this.wireEncoding);
    return this.bytes;
  }

  /** The `content-type` header, when the sender set one. */
  get contentType(): string | undefined {
    const value = findHeader(this.headers, contentTypeHeader);
    return typeof value === 'string' ? value : undefined;
  }

  /** The body as UTF-8 text. */
  text(): string {
    return this.wireBody !== undefined && this.wireEncoding === 'utf8' ? this.wireBody : this.body.toString('utf8');
  }

  /** The body parsed as JSON; throws a SyntaxError when it is not JSON. */
  json<T = unknown>(): T {
    return JSON.parse(this.text()) as T;
  }

  /**
   * The body decoded by its content type: a parsed value for `application/json`, a string for
   * `text/*`, otherwise the bytes.
   */
  get value(): unknown {
    const type = (this.contentType ?? '').toLowerCase();
    if (type.startsWith(jsonContentType) || type.endsWith('+json')) return this.json();
    if (type.startsWith('text/') || type === textContentType) return this.text();
    return this.body;
  }

  /** The wire form, for logging and the CLI's `--json` output. */
  toJSON(): WireMessage {
    const text = this.wireBody === undefined && isUtf8(this.body);
    const out: WireMessage = {
      id: this.id,
      sequence: this.sequence,
      body: this.wireBody ?? this.body.toString(text ? 'utf8' : 'base64'),
      bodyEncoding: this.wireBody === undefined ? (text ? 'utf8' : 'base64') : this.wireEncoding,
      headers: Object.fromEntries(
        Object.entries(this.headers).map(([k, v]) => [k, v instanceof Uint8Array ? { base64: Buffer.from(v).toString('base64') } : v]),
      ),
      priority: this.priority,
      enqueuedAt: this.enqueuedAt,
      deliveryCount: this.deliveryCount,
    };
    if (this.groupId !== undefined) out.groupId = this.groupId;
    if (this.dedupId !== undefined) out.dedupId = this.dedupId;
    if (this.firstDeliveredAt !== undefined) out.firstDeliveredAt = this.firstDeliveredAt;
    if (this.deadLetter !== undefined) out.deadLetter = this.deadLetter;
    return out;
  }
}

/** What a received message needs to settle its own lease. */
export interface LeaseActions {
  ack(receipt: string): Promise<void>;
  /** Acks like `ack`, reporting to `done` instead of a promise (the consume loop's per-message path). */
  ackThen(receipt: string, done: OutcomeCallback<void>): void;
  nack(receipt: string, delayMs: number | undefined): Promise<void>;
  extend(receipt: string, visibilityTimeoutMs: number): Promise<number | undefined>;
}

/** A message handed out by receive, holding a lease until acked, nacked or expired. */
export class ReceivedMessage extends Message {
  /** Opaque token naming this lease; ack / nack / extend need it. */
  readonly receipt: string;
  /** Epoch milliseconds (broker clock) at which the lease ends unless extended. */
  leaseExpiresAt: number;

  /** Builds a received message from a framed entry, its body and the queue that can settle it. */
  constructor(wire: FramedMessage, body: Buffer, private readonly actions: LeaseActions) {
    super(wire, body);
    this.receipt = wire.receipt ?? '';
    this.leaseExpiresAt = wire.leaseExpiresAt ?? 0;
  }

  /** Acknowledges this lease: the message is gone. Rejects with ReceiptInvalid / LeaseExpired when stale. */
  ack(): Promise<void> {
    return this.actions.ack(this.receipt);
  }

  /** Gives the message back, ready again after `delayMs` (default 0). */
  nack(delayMs?: number): Promise<void> {
    return this.actions.nack(this.receipt, delayMs);
  }

  /** Makes the lease end `visibilityTimeoutMs` from now. */
  async extend(visibilityTimeoutMs: number): Promise<void> {
    const until = await this.actions.extend(this.receipt, visibilityTimeoutMs);
    if (until !== undefined) this.leaseExpiresAt = until;
  }

  /** The wire form including the receipt and lease end. */
  override toJSON(): WireMessage {
    return { ...super.toJSON(), receipt: this.receipt, leaseExpiresAt: this.leaseExpiresAt };
  }
}
