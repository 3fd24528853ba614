/**
 * Message bodies carry their own send time and sequence number in the first 16 bytes, so the
 * consumer measures end-to-end latency from the message itself, whatever the system.
 */

/** Bytes at the start of every body: float64 send time (ms, performance clock) + uint32 sequence + padding. */
export const stampBytes = 16;

/** The time base of every stamp: the process's monotonic clock, in milliseconds. */
export function nowMs(): number {
  return performance.now();
}

/** Builds a body of `size` bytes stamped with `seq` and `sentAtMs`. */
export function makeBody(size: number, seq: number, sentAtMs: number): Uint8Array {
  const body = new Uint8Array(Math.max(size, stampBytes));
  const view = new DataView(body.buffer);
  view.setFloat64(0, sentAtMs, true);
  view.setUint32(8, seq, true);
  // A non-zero filler, so no layer can shortcut an all-zero payload.
  body.fill(0x61, stampBytes);
  return body;
}

/** Reads the stamp of a body built by makeBody. */
export function readStamp(body: Uint8Array): { seq: number; sentAtMs: number } {
  if (body.byteLength < stampBytes) throw new Error(`body of ${body.byteLength} bytes has no stamp`);
  const view = new DataView(body.buffer, body.byteOffset, stampBytes);
  return { sentAtMs: view.getFloat64(0, true), seq: view.getUint32(8, true) };
}
