/**
 * Persistence of the embedded backend on LMDB. Writes are queued and committed by lmdb-js on its
 * own thread: every write issued in one event-loop turn lands in one transaction (group commit),
 * and each write's promise resolves only once that transaction is flushed to disk (fsync). With
 * overlapping sync, the flush of one transaction runs while the next one is being written. Records are
 * checked before they are written and after they are read; a bad record is a StorageError that
 * names it, never a silent repair.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { ChuteError } from '../../core/errors.js';
import type { StorageStats } from '../../core/backend.js';
import type { Headers, QueueConfig, TopicInfo } from '../../core/types.js';
import { BodyCache } from './body-cache.js';
import { checkDataFile } from './data-file.js';
import type { Msg } from './msg.js';
import { decodeBody, decodeIndex, encodeBody, encodeIndex, RecordError, type BodyRecord } from './records.js';

/** A queue as stored. */
export interface QueueRecord {
  id: number;
  name: string;
  config: QueueConfig;
  createdAt: number;
  updatedAt: number;
}

/** A remembered dedup key. */
export interface DedupRecord {
  /** Id of the first message sent with this key. */
  id: string;
  /** Its sequence number. */
  s: number;
  /** End of the dedup window, epoch ms. */
  x: number;
}

const COMMIT_BUCKETS_MS = [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000];
const SEQ_RESERVE_BLOCK = 100_000;
/**
 * Memory for the bodies of messages just sent (body-cache.ts). It only has to cover the messages
 * between producers and the consumers that keep up with them.
 */
export const BODY_CACHE_BYTES_MAX = 64 * 1024 * 1024;

/** The writes of one event-loop turn, committed together. */
interface CommitBatch {
  startedAt: number;
  ops: number;
  /** Resolves once the batch's transaction is committed and flushed. */
  confirmed: Promise<unknown> | undefined;
  /** Sequence numbers of the bodies it stores (see Store.unflushed). */
  unflushed: number[];
}

/** The LMDB file of one data directory. */
export class Store {
  private readonly root: RootDatabase;
  private readonly meta: Database<number, string>;
  private readonly queues: Database<QueueRecord, string>;
  private readonly topics: Database<TopicInfo, string>;
  private readonly msgs: Database<Buffer, number>;
  private readonly bodies: Database<Buffer, number>;
  private readonly dedup: Database<DedupRecord, [number, string]>;
  readonly path: string;
  private seqReservedUpTo = 0;
  private batch: CommitBatch | undefined;
  private readonly stats: StorageStats;
  /** Bodies of messages just stored, so that their first delivery need not read them back. */
  private readonly recent = new BodyCache(BODY_CACHE_BYTES_MAX);
  /**
   * Bodies of messages whose commit has not finished. Messages are handed out before their send
   * is confirmed (embedded-backend.ts), and LMDB shows a reader only committed records, so the
   * body is read from here until the commit that stores it is flushed. One still unread by then,
   * and expected to be received soon, moves to `recent`; most are read before, and never copied.
   */
  private readonly unflushed = new Map<number, { record: BodyRecord; keep: boolean }>();

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.path = join(dataDir, 'chute.mdb');
    checkDataFile(this.path);
    try {
      this.root = open({ path: this.path, maxDbs: 16, overlappingSync: true, compression: false, mapSize: 2 ** 36 });
      this.meta = this.root.openDB({ name: 'meta' });
      this.queues = this.root.openDB({ name: 'queues' });
      this.topics = this.root.openDB({ name: 'topics' });
      this.msgs = this.root.openDB({ name: 'msgs', encoding: 'binary' });
      this.bodies = this.root.openDB({ name: 'bodies', encoding: 'binary' });
      this.dedup = this.root.openDB({ name: 'dedup' });
    } catch (e) {
      throw new ChuteError('StorageError', `cannot open data file ${this.path}: ${(e as Error).message}`);
    }
    this.stats = {
      engine: 'lmdb',
      commits: 0,
      commitOps: 0,
      commitLatencyMs: { count: 0, sum: 0, buckets: COMMIT_BUCKETS_MS.map((le) => ({ le, count: 0 })) },
      fileBytes: 0,
    };
  }

  // ---- reads used by recovery -------------------------------------------------------------

  /** The next sequence number to hand out: past every one that may have been used before. */
  loadNextSeq(): number {
    const reserved = this.meta.get('seqReserved') ?? 1;
    let last = 0;
    for (const key of this.msgs.getKeys({ reverse: true, limit: 1 })) last = key;
    this.seqReservedUpTo = reserved;
    return Math.max(reserved, last + 1);
  }

  /** The next internal queue id. */
  nextQueueId(): number {
    return this.meta.get('nextQueueId') ?? 1;
  }

  /** Every stored queue, checked. */
  loadQueues(): QueueRecord[] {
    const out: QueueRecord[] = [];
    for (const { key, value } of this.queues.getRange()) {
      if (typeof value !== 'object' || value === null || value.name !== key || !Number.isInteger(value.id) || typeof value.config !== 'object') {
        throw this.badRecord('queues', key, 'not a queue record');
      }
      out.push(value);
    }
    return out;
  }

  /** Every stored topic. */
  loadTopics(): TopicInfo[] {
    return [...this.topics.getRange()].map(({ key, value }) => {
      if (typeof value !== 'object' || value === null || value.name !== key || !Array.isArray(value.subscriptions)) {
        throw this.badRecord('topics', key, 'not a topic record');
      }
      return value;
    });
  }

  /** Every stored message index entry, in sequence order, checked. */
  *loadMessages(): IterableIterator<{ queueId: number; msg: Msg }> {
    for (const { key, value } of this.msgs.getRange()) {
      try {
        yield decodeIndex(key, value);
      } catch (e) {
        if (e instanceof RecordError) throw this.badRecord('msgs', key, e.message);
        throw e;
      }
    }
  }

  /** Every remembered dedup key. */
  *loadDedup(): IterableIterator<{ queueId: number; key: string; record: DedupRecord }> {
    for (const { key, value } of this.dedup.getRange()) {
      if (!Array.isArray(key) || typeof value?.id !== 'string' || typeof value.s !== 'number' || typeof value.x !== 'number') throw this.badRecord('dedup', key, 'not a dedup record');
      yield { queueId: key[0], key: key[1], record: value };
    }
  }

  // ---- message bodies ---------------------------------------------------------------------

  /** Reads a message's body and headers back, checking them against the index entry. */
  readBody(msg: Msg): BodyRecord {
    const pending = this.unflushed.get(msg.seq);
    if (pending !== undefined) {
      pending.keep = false;
      return pending.record;
    }
    const cached = this.recent.take(msg.seq);
    if (cached !== undefined) return cached;
    // The fast read returns a view of a buffer the next read overwrites: the record is checked in
    // place and only the body is copied out, into Node's buffer pool for small bodies, instead of
    // allocating a copy of the whole record first.
    const raw = this.bodies.getBinaryFast(msg.seq);
    if (raw === undefined) throw this.badRecord('bodies', msg.seq, 'the body of an indexed message is missing');
    try {
      const record = decodeBody(raw, msg.size);
      record.body = Buffer.from(record.body);
      return record;
    } catch (e) {
      if (e instanceof RecordError) throw this.badRecord('bodies', msg.seq, e.message);
      throw e;
    }
  }

  // ---- writes (each resolves after its fsync'd commit) ------------------------------------

  /**
   * Stores a new message: its index entry and its body. With `keepInMemory` the body also stays in
   * memory for its first read after the commit (the caller expects it to be received soon).
   */
  putMessage(queueId: number, msg: Msg, body: Uint8Array, headers: Headers, dedupId: string | undefined, keepInMemory = false): Promise<unknown> {
    const batch = this.track(2);
    this.unflushed.set(msg.seq, { record: { body, headers, dedupId }, keep: keepInMemory });
    batch.unflushed.push(msg.seq);
    void this.bodies.put(msg.seq, encodeBody(body, headers, dedupId));
    return this.confirm(this.msgs.put(msg.seq, this.indexEntry(queueId, msg)));
  }

  /** Rewrites a message's index entry (delivery count, delay, queue after a dead-letter move). */
  putMsg(queueId: number, msg: Msg): Promise<unknown> {
    this.track(1);
    return this.confirm(this.msgs.put(msg.seq, this.indexEntry(queueId, msg)));
  }

  /** Deletes a message. */
  removeMessage(seq: number): Promise<unknown> {
    this.track(2);
    this.recent.delete(seq);
    this.unflushed.delete(seq);
    void this.bodies.remove(seq);
    return this.confirm(this.msgs.remove(seq));
  }

  /** Makes sure sequence numbers up to `seq` survive a restart (one write per block of numbers). */
  reserveSeq(seq: number): void {
    if (seq < this.seqReservedUpTo) return;
    this.seqReservedUpTo = seq + SEQ_RESERVE_BLOCK;
    this.track(1);
    void this.meta.put('seqReserved', this.seqReservedUpTo);
  }

  /** Remembers a dedup key. */
  putDedup(queueId: number, key: string, record: DedupRecord): Promise<unknown> {
    this.track(1);
    return this.confirm(this.dedup.put([queueId, key], record));
  }

  /** Forgets a dedup key. */
  removeDedup(queueId: number, key: string): Promise<unknown> {
    this.track(1);
    return this.confirm(this.dedup.remove([queueId, key]));
  }

  /** Stores a queue record (and the next free queue id). */
  putQueue(record: QueueRecord): Promise<unknown> {
    this.track(2);
    void this.meta.put('nextQueueId', Math.max(this.nextQueueId(), record.id + 1));
    return this.confirm(this.queues.put(record.name, record));
  }

  /** Deletes a queue record with every message and dedup key it held, in one commit. */
  removeQueue(name: string, queueId: number, seqs: Iterable<number>): Promise<unknown> {
    let ops = 1;
    for (const seq of seqs) {
      this.recent.delete(seq);
      this.unflushed.delete(seq);
      void this.bodies.remove(seq);
      void this.msgs.remove(seq);
      ops += 2;
    }
    for (const key of this.dedup.getKeys({ start: [queueId], end: [queueId + 1] })) {
      void this.dedup.remove(key);
      ops++;
    }
    this.track(ops);
    return this.confirm(this.queues.remove(name));
  }

  /** Stores a topic. */
  putTopic(topic: TopicInfo): Promise<unknown> {
    this.track(1);
    return this.confirm(this.topics.put(topic.name, topic));
  }

  /** Deletes a topic. */
  removeTopic(name: string): Promise<unknown> {
    this.track(1);
    return this.confirm(this.topics.remove(name));
  }

  /** Commit counters, for metrics. */
  storageStats(): StorageStats {
    let fileBytes = 0;
    try {
      fileBytes = statSync(this.path).size;
    } catch {
      // The file is always there while open; a failed stat just reports 0.
    }
    return { ...this.stats, commitLatencyMs: { ...this.stats.commitLatencyMs, buckets: this.stats.commitLatencyMs.buckets.map((b) => ({ ...b })) }, fileBytes };
  }

  /** Waits for every queued write, then closes the file. */
  async close(): Promise<void> {
    await this.root.flushed;
    await this.root.close();
  }

  /**
   * Counts writes into the current event-loop turn's batch and times its commit. lmdb-js commits
   * all of a turn's writes together, so one timing per turn is one timing per commit. Once the
   * commit is flushed, the bodies it stored leave `unflushed`.
   */
  private track(ops: number): CommitBatch {
    let batch = this.batch;
    if (batch === undefined) {
      const started: CommitBatch = { startedAt: performance.now(), ops: 0, confirmed: undefined, unflushed: [] };
      batch = started;
      this.batch = started;
      setImmediate(() => {
        this.batch = undefined;
        // A failed commit leaves its bodies in `unflushed`: their messages are in memory only, and
        // keep their bodies there until they are removed (removeMessage) like any other message.
        started.confirmed?.then(
          () => {
            this.recordCommit(started);
            this.forgetUnflushed(started);
          },
          () => {},
        );
      });
    }
    batch.ops += ops;
    return batch;
  }

  private forgetUnflushed(batch: CommitBatch): void {
    for (const seq of batch.unflushed) {
      const pending = this.unflushed.get(seq);
      if (pending === undefined) continue;
      this.unflushed.delete(seq);
      if (pending.keep) this.recent.add(seq, pending.record);
    }
  }

  /**
   * The promise of this turn's transaction being committed and flushed. Every write of a turn is in
   * the same transaction, so one promise serves them all; `flushed` is read in the same turn so
   * that it is this transaction's flush.
   */
  private confirm(write: Promise<unknown>): Promise<unknown> {
    const batch = this.batch as CommitBatch;
    if (batch.confirmed === undefined) {
      const flushed = new Promise<unknown>((resolve, reject) => {
        this.root.flushed.then(resolve, reject);
      });
      batch.confirmed = Promise.all([write, flushed]);
    }
    return batch.confirmed;
  }

  private recordCommit(batch: { startedAt: number; ops: number }): void {
    const ms = performance.now() - batch.startedAt;
    this.stats.commits++;
    this.stats.commitOps += batch.ops;
    const h = this.stats.commitLatencyMs;
    h.count++;
    h.sum += ms;
    for (const b of h.buckets) if (ms <= b.le) b.count++;
  }

  private indexEntry(queueId: number, msg: Msg): Buffer {
    if (!Number.isSafeInteger(msg.seq) || msg.seq <= 0 || msg.size < 0 || msg.deliveryCount < 0) {
      throw new ChuteError('StorageError', `refusing to write a broken index entry for message ${msg.seq}`);
    }
    return encodeIndex(queueId, msg);
  }

  private badRecord(db: string, key: unknown, why: string): ChuteError {
    return new ChuteError(
      'StorageError',
      `data file ${this.path} holds a damaged record (${db} ${JSON.stringify(key)}: ${why}). Chute stops rather than lose data silently: restore the data directory from a backup.`,
    );
  }
}

