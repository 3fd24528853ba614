/**
 * The consume loop: long-poll, run handlers with bounded concurrency, ack on success, nack with
 * backoff on failure, keep leases alive while handlers run, and stop cleanly.
 */
import { randomBytes } from 'node:crypto';
import { backoffDelayMs, nackBackoffDefaults, requestBackoffDefaults, resolveBackoff, sleep, type BackoffOptions } from './backoff.js';
import type { EntryOutcome } from './coalescer.js';
import type { LeaseActions, ReceivedMessage } from './message.js';
import { checkIntegerOption, checkKnownOptions, checkTypeOption } from './options.js';
import type { Queue } from './queue.js';

const consumeOptionNames: ReadonlySet<string> = new Set(['concurrency', 'maxInFlight', 'visibilityTimeoutMs', 'waitMs', 'backoff', 'extendLeases', 'onError']);

/** A message handler: resolve to ack the message, throw (or reject) to nack it with backoff. */
export type MessageHandler = (message: ReceivedMessage) => unknown;

/** Where in the loop an error happened. */
export type ConsumerErrorPhase = 'receive' | 'handler' | 'ack' | 'nack' | 'extend';

/** Context given to {@link ConsumeOptions.onError}. */
export interface ConsumerErrorContext {
  phase: ConsumerErrorPhase;
  /** The queue being consumed. */
  queue: string;
  /** The message concerned, for every phase but `receive`. */
  message?: ReceivedMessage;
}

/** Options of {@link Queue.consume}. */
export interface ConsumeOptions {
  /** Handlers running at the same time. Default 10. */
  concurrency?: number;
  /**
   * Messages held at once: running plus received and waiting for a free handler (prefetch).
   * Acks and nacks waiting for the broker's confirmation are bounded apart, by twice this number.
   * Default twice `concurrency`; at least `concurrency`.
   */
  maxInFlight?: number;
  /** Lease length asked for on each receive. Default: the queue's `visibilityTimeoutMs`. */
  visibilityTimeoutMs?: number;
  /** Long-poll wait of each receive, 0 to 20 s. Default 20 s. */
  waitMs?: number;
  /**
   * Delay of the nack after a handler throws, growing with the message's delivery count.
   * Default `{ initialMs: 1000, maxMs: 300000, factor: 2, jitter: 0.2 }`.
   */
  backoff?: Partial<BackoffOptions>;
  /**
   * Extend a message's lease at half its length for as long as it is held. Default true.
   */
  extendLeases?: boolean;
  /**
   * Called for every error the loop meets: a failing handler, a receive that failed (the loop
   * waits with backoff and goes on), an ack/nack/extend the broker refused. The loop never
   * stops on its own and never leaves a rejection unhandled. Default: a process warning.
   */
  onError?: (error: unknown, context: ConsumerErrorContext) => void;
}

/** Counters of a consumer since it started. */
export interface ConsumerStats {
  received: number;
  acked: number;
  nacked: number;
  errors: number;
}

/** How long stop() waits for the broker to end the consumer's long polls before it aborts them. */
const pollEndGraceMs = 2_000;

/** Longest lease the broker grants; extension timers never wait longer than half of it. */
const leaseMaxMs = 12 * 60 * 60 * 1000;

/** A running consume loop; created by {@link Queue.consume}. */
export class Consumer {
  /** Counters since start. */
  readonly stats: ConsumerStats = { received: 0, acked: 0, nacked: 0, errors: 0 };
  private readonly concurrency: number;
  private readonly maxInFlight: number;
  private readonly waitMs: number;
  private readonly backoff: BackoffOptions;
  private readonly extendLeases: boolean;
  private readonly onError: (error: unknown, context: ConsumerErrorContext) => void;
  private state: 'created' | 'running' | 'stopping' | 'stopped' = 'created';
  /** Received messages no handler has started yet: those from `head` on (see dispatch). */
  private readonly buffer: ReceivedMessage[] = [];
  private head = 0;
  /** Messages whose handler runs or whose ack or nack awaits confirmation; stop() waits for none. */
  private active = 0;
  private idleWaiters: Array<() => void> = [];
  /** dispatch() is running: a handler that finished inside it asks for another round instead of recursing. */
  private dispatching = false;
  private dispatchAgain = false;
  /** The lease group of every held message whose lease is kept alive. */
  private readonly leaseGroups = new Map<ReceivedMessage, LeaseGroup>();
  private running = 0;
  private held = 0;
  /** FIFO groups with a handler running: a group's messages are handled one at a time, in order. */
  private readonly busyGroups = new Set<string>();
  /** Acks and nacks sent and not yet confirmed. */
  private settling = 0;
  /** Aborts the receives in flight: the fallback of stop() when the broker does not end them. */
  private readonly poll = new AbortController();
  /** Ends the loops' backoff sleeps at stop(). */
  private readonly sleeps = new AbortController();
  /** Ids of the receives in flight (each names its long poll, so that stop() can end it). */
  private readonly pollIds = new Set<string>();
  private readonly pollIdPrefix = randomBytes(12).toString('base64url');
  private pollCount = 0;
  /** Polls waiting for a free slot. */
  private slotWaiters: Array<() => void> = [];
  /** Slots promised to receives still on their way. */
  private reserved = 0;
  private loopDone: Promise<void> = Promise.resolve();
  private stopping: Promise<void> | undefined;

  /** Checks the options; call {@link Queue.consume} rather than this. */
  constructor(
    private readonly queue: Queue,
    private readonly handler: MessageHandler,
    private readonly options: ConsumeOptions,
    private readonly lease: LeaseActions,
  ) {
    checkKnownOptions('consume', options, consumeOptionNames);
    checkIntegerOption('concurrency', options.concurrency, 1);
    this.concurrency = options.concurrency ?? 10;
    checkIntegerOption('maxInFlight', options.maxInFlight, this.concurrency);
    this.maxInFlight = options.maxInFlight ?? this.concurrency * 2;
    checkIntegerOption('waitMs', options.waitMs, 0);
    checkIntegerOption('visibilityTimeoutMs', options.visibilityTimeoutMs, 0);
    checkTypeOption('extendLeases', options.extendLeases, 'boolean');
    this.waitMs = options.waitMs ?? 20_000;
    this.backoff = resolveBackoff(options.backoff, nackBackoffDefaults);
    this.extendLeases = options.extendLeases ?? true;
    this.onError = options.onError ?? defaultOnError;
  }

  /** True until {@link stop} was called. */
  get isRunning(): boolean {
    return this.state === 'running';
  }

  /** Starts the loop (done by {@link Queue.consume}). */
  start(): void {
    if (this.state !== 'created') return;
    this.state = 'running';
    // Two polls run side by side, so that the broker prepares the next batch while this one is
    // being answered and handled; together they never ask for more than maxInFlight.
    this.loopDone = Promise.all([this.loop(), this.loop()]).then(() => undefined);
  }

  /**
   * Stops polling, gives back received messages no handler has started (nack without delay),
   * waits for running handlers to finish and their acks or nacks to be confirmed, then
   * resolves. Calling it again returns the same promise.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    if (this.state === 'created') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    this.sleeps.abort();
    this.wakePolls();
    // The broker ends the waiting polls and they answer as usual, so that an answer it is writing
    // at this instant is not lost with a closed connection; if it cannot, the polls are aborted.
    const fallback = setTimeout(() => this.poll.abort(), pollEndGraceMs);
    for (const id of this.pollIds) this.queue.endPoll(id).catch(() => this.poll.abort());
    await this.loopDone;
    clearTimeout(fallback);
    const unstarted = this.buffer.splice(this.head);
    this.buffer.length = 0;
    this.head = 0;
    await Promise.all(unstarted.map((m) => this.release(m)));
    if (this.active > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.state = 'stopped';
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (this.state === 'running') {
      const free = this.maxInFlight - this.held - this.reserved;
      // Acks awaiting their commit may reach twice maxInFlight: bounded at maxInFlight, the loop
      // stalled on most commits while the broker was busy answering the other poll.
      if (free <= 0 || this.settling >= 2 * this.maxInFlight) {
        await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
        continue;
      }
      const max = Math.min(free, Math.ceil(this.maxInFlight / 2), 1000);
      this.reserved += max;
      const pollId = `${this.pollIdPrefix}-${++this.pollCount}`;
      this.pollIds.add(pollId);
      const startedAt = Date.now();
      let messages: ReceivedMessage[];
      try {
        messages = await this.queue.receive({
          max,
          waitMs: this.waitMs,
          signal: this.poll.signal,
          pollId,
          ...(this.options.visibilityTimeoutMs === undefined ? {} : { visibilityTimeoutMs: this.options.visibilityTimeoutMs }),
        });
        failures = 0;
      } catch (e) {
        this.pollIds.delete(pollId);
        this.reserved -= max;
        if (this.state !== 'running') break;
        this.report(e, { phase: 'receive', queue: this.queue.name });
        failures++;
        await sleep(backoffDelayMs(failures, requestBackoffDefaults), this.sleeps.signal).catch(() => undefined);
        continue;
      }
      this.pollIds.delete(pollId);
      this.reserved -= max;
      this.accept(messages, startedAt);
      // A receive answered as the consumer stops keeps its messages in the buffer, unstarted:
      // stop() gives them back to the queue at once.
      if (this.state === 'running') this.dispatch();
    }
  }

  private accept(messages: ReceivedMessage[], receiveStartedAt: number): void {
    this.stats.received += messages.length;
    this.held += messages.length;
    for (const m of messages) this.buffer.push(m);
    if (!this.extendLeases || messages.length === 0) return;
    // Without an explicit visibility timeout the lease length is inferred from the lease end the
    // broker reported; measuring from the request start errs on the long side by one round trip.
    const first = messages[0] as ReceivedMessage;
    const leaseMs = this.options.visibilityTimeoutMs ?? Math.min(leaseMaxMs, first.leaseExpiresAt - receiveStartedAt);
    if (leaseMs < 1000) return;
    // The messages of one receive share their lease length, so one timer keeps them all alive.
    const group: LeaseGroup = { messages, held: messages.length, timer: undefined };
    for (const m of messages) this.leaseGroups.set(m, group);
    this.armLeaseTimer(group, leaseMs);
  }

  private armLeaseTimer(group: LeaseGroup, leaseMs: number): void {
    group.timer = setTimeout(() => {
      group.timer = undefined;
      const extensions = group.messages
        .filter((message) => this.leaseGroups.get(message) === group)
        .map((message) =>
          message.extend(leaseMs).catch((e: unknown) => {
            this.forgetLease(message);
            this.report(e, { phase: 'extend', queue: this.queue.name, message });
          }),
        );
      void Promise.all(extensions).then(() => {
        if (group.held > 0 && group.timer === undefined) this.armLeaseTimer(group, leaseMs);
      });
    }, leaseMs / 2);
    group.timer.unref();
  }

  private forgetLease(message: ReceivedMessage): void {
    const group = this.leaseGroups.get(message);
    if (group === undefined) return;
    this.leaseGroups.delete(message);
    group.held--;
    if (group.held === 0) clearTimeout(group.timer);
  }

  /**
   * Starts handlers for buffered messages, in order, skipping those whose group is busy. Handlers
   * start only once the buffer is settled again, because a handler that finishes at once (most
   * do) comes back here before it returns; that call only asks this one for another round, so a
   * long run of quick handlers is a loop, not a recursion.
   */
  private dispatch(): void {
    if (this.dispatching) {
      this.dispatchAgain = true;
      return;
    }
    this.dispatching = true;
    try {
      do {
        this.dispatchAgain = false;
        for (const message of this.takeStartable()) this.run(message);
      } while (this.dispatchAgain && this.state !== 'stopped');
    } finally {
      this.dispatching = false;
    }
  }

  /** Takes the buffered messages that can start now, claiming their handler slots and groups. */
  private takeStartable(): ReceivedMessage[] {
    const starting: ReceivedMessage[] = [];
    while (this.head < this.buffer.length && this.running < this.concurrency && this.state !== 'stopped') {
      const message = this.buffer[this.head] as ReceivedMessage;
      if (message.groupId !== undefined && this.busyGroups.has(message.groupId)) {
        this.pickPastBusyGroups(starting);
        break;
      }
      this.head++;
      this.pick(message, starting);
    }
    // Taken messages are dropped from the front in blocks, not one by one (each would move the rest).
    if (this.head === this.buffer.length || this.head >= 1024) {
      this.buffer.splice(0, this.head);
      this.head = 0;
    }
    return starting;
  }

  /** Picks messages of free groups from behind a busy one, packing the skipped ones behind the head. */
  private pickPastBusyGroups(starting: ReceivedMessage[]): void {
    const buffer = this.buffer;
    let kept = this.head;
    let next = this.head;
    while (next < buffer.length && this.running < this.concurrency) {
      const message = buffer[next++] as ReceivedMessage;
      if (message.groupId !== undefined && this.busyGroups.has(message.groupId)) buffer[kept++] = message;
      else this.pick(message, starting);
    }
    if (next > kept) {
      buffer.copyWithin(kept, next);
      buffer.length -= next - kept;
    }
  }

  /** Claims a handler slot (and the message's group) for a message about to start. */
  private pick(message: ReceivedMessage, starting: ReceivedMessage[]): void {
    if (message.groupId !== undefined) this.busyGroups.add(message.groupId);
    this.running++;
    starting.push(message);
  }

  /**
   * Runs the handler. One that returns no promise is finished at once: this path runs for every
   * message, so it makes no promise of its own (the handler's, when it returns one, is awaited).
   */
  private run(message: ReceivedMessage): void {
    this.active++;
    let result: unknown;
    try {
      result = this.handler(message);
    } catch (e) {
      this.finish(message, { error: e });
      return;
    }
    if (isThenable(result)) {
      // Promise.resolve adopts any thenable (a native promise is passed through as it is) and
      // settles once, however the thenable behaves.
      Promise.resolve(result).then(
        () => this.finish(message, undefined),
        (e: unknown) => this.finish(message, { error: e }),
      );
    } else {
      this.finish(message, undefined);
    }
  }

  /** After the handler: frees its slots, then acks (success) or nacks with backoff (failure). */
  private finish(message: ReceivedMessage, failure: { error: unknown } | undefined): void {
    this.forgetLease(message);
    // A failed message of a FIFO group goes back for a retry, and the later messages of its group
    // held here go back with it, so that they are not handled before it.
    const giveBack = failure !== undefined && message.groupId !== undefined ? this.takeGroup(message.groupId) : [];
    if (message.groupId !== undefined) this.busyGroups.delete(message.groupId);
    // Both slots free before the ack is confirmed, so the next message starts and the next receive
    // goes out while the broker writes the ack to disk; unconfirmed acks are bounded on their own
    // (by twice maxInFlight), so a slow broker still slows the loop down.
    this.running--;
    this.held--;
    this.settling++;
    if (this.state === 'running') this.dispatch();
    this.wakePolls();
    if (failure === undefined) {
      this.lease.ackThen(message.receipt, (outcome) => this.acked(message, outcome));
      return;
    }
    this.report(failure.error, { phase: 'handler', queue: this.queue.name, message });
    void this.nackWithBackoff(message)
      .then(() => Promise.all(giveBack.map((m) => this.release(m))))
      .then(() => this.settled());
  }

  private acked(message: ReceivedMessage, outcome: EntryOutcome<void>): void {
    if (outcome.ok) this.stats.acked++;
    else this.report(outcome.error, { phase: 'ack', queue: this.queue.name, message });
    this.settled();
  }

  /** A message's ack or nack is confirmed (or failed and was reported). */
  private settled(): void {
    this.settling--;
    this.active--;
    this.wakePolls();
    if (this.active === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async nackWithBackoff(message: ReceivedMessage): Promise<void> {
    const delayMs = backoffDelayMs(message.deliveryCount, this.backoff);
    await message.nack(delayMs).then(
      () => void this.stats.nacked++,
      (e: unknown) => this.report(e, { phase: 'nack', queue: this.queue.name, message }),
    );
  }

  /** Removes and returns the buffered (not started) messages of a group. */
  private takeGroup(group: string): ReceivedMessage[] {
    const taken: ReceivedMessage[] = [];
    for (let i = this.buffer.length - 1; i >= this.head; i--) {
      if (this.buffer[i]?.groupId === group) taken.unshift(...this.buffer.splice(i, 1));
    }
    return taken;
  }

  /** Gives back a message no handler started, ready again at once. */
  private async release(message: ReceivedMessage): Promise<void> {
    this.forgetLease(message);
    await message.nack(0).then(
      () => void this.stats.nacked++,
      (e: unknown) => this.report(e, { phase: 'nack', queue: this.queue.name, message }),
    );
    this.held--;
  }

  private wakePolls(): void {
    if (this.slotWaiters.length === 0) return;
    const waiters = this.slotWaiters.splice(0);
    for (const wake of waiters) wake();
  }

  private report(error: unknown, context: ConsumerErrorContext): void {
    this.stats.errors++;
    try {
      this.onError(error, context);
    } catch {
      // An error callback that throws must not break the loop or leave a rejection unhandled.
    }
  }
}

/** Messages of one receive whose leases one timer extends while they are held. */
interface LeaseGroup {
  /** The messages of the receive; those no longer in `leaseGroups` under this group are done. */
  messages: ReceivedMessage[];
  /** How many of them are still held. */
  held: number;
  timer: NodeJS.Timeout | undefined;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function defaultOnError(error: unknown, context: ConsumerErrorContext): void {
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.emitWarning(`consumer of queue "${context.queue}" (${context.phase}): ${what}`, 'ChuteConsumerWarning');
}
