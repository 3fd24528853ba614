/**
 * The bodies of messages just sent, kept in memory for their first delivery. When consumers keep
 * up, a message is received moments after it was stored, and reading it back from the data file
 * (a lookup, a copy and a checksum over the body) is most of what a receive costs. The cache is
 * bounded in bytes; it gives an entry up when it is read, when its message is removed, or when
 * newer entries need the room (oldest first). A miss is an ordinary read from the data file.
 */
import type { BodyRecord } from './records.js';

/** Bytes counted for an entry besides its body: the map slot, the record and its headers object. */
const ENTRY_OVERHEAD_BYTES = 160;

/** Recently stored body records by sequence number, oldest first. */
export class BodyCache {
  private readonly entries = new Map<number, { record: BodyRecord; weight: number }>();
  private bytes = 0;

  /** Creates a cache that holds at most `maxBytes` (bodies plus a fixed overhead per entry). */
  constructor(readonly maxBytes: number) {}

  /** Bytes held now. */
  get heldBytes(): number {
    return this.bytes;
  }

  /**
   * Keeps a copy of a stored body with its headers and dedup id. The body is copied so that the
   * cache never holds on to the larger request buffer it may be a slice of.
   */
  add(seq: number, record: BodyRecord): void {
    const weight = record.body.byteLength + ENTRY_OVERHEAD_BYTES;
    if (weight > this.maxBytes) return;
    while (this.bytes + weight > this.maxBytes) this.evictOldest();
    this.entries.set(seq, { record: { ...record, body: Buffer.from(record.body) }, weight });
    this.bytes += weight;
  }

  /** Hands over the record of `seq` if it is still here; it leaves the cache. */
  take(seq: number): BodyRecord | undefined {
    const entry = this.entries.get(seq);
    if (entry === undefined) return undefined;
    this.entries.delete(seq);
    this.bytes -= entry.weight;
    return entry.record;
  }

  /** Forgets `seq` (its message is gone). */
  delete(seq: number): void {
    const entry = this.entries.get(seq);
    if (entry === undefined) return;
    this.entries.delete(seq);
    this.bytes -= entry.weight;
  }

  private evictOldest(): void {
    for (const [seq, entry] of this.entries) {
      this.entries.delete(seq);
      this.bytes -= entry.weight;
      return;
    }
  }
}
