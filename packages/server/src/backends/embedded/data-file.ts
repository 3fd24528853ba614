/**
 * Checks the LMDB data file before LMDB maps it. A truncated file would otherwise be mapped
 * without complaint and crash the process (SIGBUS) on the first read past its end; here it
 * becomes a clear startup error instead. Also holds the data directory's process lock.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChuteError } from '../../core/errors.js';

const LMDB_MAGIC = 0xbeefc0de;
// lmdb-js builds LMDB with a 24-byte page header (it adds a transaction id to each page).
const PAGE_HEADER_BYTES = 24;
// Offsets inside an LMDB meta page (64-bit build), after the page header: magic, version, address, mapsize, two
// database records of 48 bytes each (the first one's md_pad holds the page size), last page, txn id.
const META_PSIZE_OFFSET = PAGE_HEADER_BYTES + 24;
const META_LAST_PAGE_OFFSET = PAGE_HEADER_BYTES + 120;
const META_TXNID_OFFSET = PAGE_HEADER_BYTES + 128;
const MIN_PAGE_BYTES = 4096;

interface MetaPage {
  pageBytes: number;
  lastPage: bigint;
  txnId: bigint;
}

function readMeta(buf: Buffer, offset: number): MetaPage | undefined {
  if (buf.length < offset + META_TXNID_OFFSET + 8) return undefined;
  if (buf.readUInt32LE(offset + PAGE_HEADER_BYTES) !== LMDB_MAGIC) return undefined;
  return {
    pageBytes: buf.readUInt32LE(offset + META_PSIZE_OFFSET),
    lastPage: buf.readBigUInt64LE(offset + META_LAST_PAGE_OFFSET),
    txnId: buf.readBigUInt64LE(offset + META_TXNID_OFFSET),
  };
}

/**
 * Throws a StorageError when the data file exists but is not a whole LMDB file: bad magic in
 * both meta pages, or shorter than the pages its newest meta page says are in use.
 */
export function checkDataFile(path: string): void {
  if (!existsSync(path)) return;
  const size = statSync(path).size;
  if (size === 0) throw corrupt(path, 'the file is empty');
  const head = Buffer.alloc(Math.min(size, 2 * 65536));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const first = readMeta(head, 0);
  const pageBytes = first?.pageBytes ?? MIN_PAGE_BYTES;
  const second = readMeta(head, pageBytes);
  const metas = [first, second].filter((m): m is MetaPage => m !== undefined);
  if (metas.length === 0) throw corrupt(path, 'neither header page carries the LMDB signature');
  const newest = metas.reduce((a, b) => (b.txnId > a.txnId ? b : a));
  const needed = (newest.lastPage + 1n) * BigInt(newest.pageBytes);
  if (BigInt(size) < needed) {
    throw corrupt(path, `the file is truncated: ${size} bytes, but its header says ${needed} bytes are in use`);
  }
}

function corrupt(path: string, why: string): ChuteError {
  return new ChuteError(
    'StorageError',
    `data file ${path} is damaged (${why}). Chute will not start on it, so that nothing is silently lost: restore the data directory from a backup, or move it away to start empty.`,
  );
}

/**
 * Takes the data directory for this process: one broker per directory, since each keeps the
 * queue index in memory. A lock left by a process that no longer runs (kill -9) is taken over.
 */
export function lockDataDir(dir: string): () => void {
  const lockPath = join(dir, 'chute.pid');
  if (existsSync(lockPath)) {
    const pid = Number(readFileSync(lockPath, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
      throw new ChuteError('StorageError', `data directory ${dir} is in use by process ${pid}; stop it first or choose another --data-dir`);
    }
  }
  writeFileSync(lockPath, `${process.pid}\n`);
  return () => {
    try {
      if (readFileSync(lockPath, 'utf8').trim() === String(process.pid)) unlinkSync(lockPath);
    } catch {
      // Already gone: nothing to release.
    }
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/**
 * A process killed with kill -9 stays a zombie until its parent reaps it, and signals still
 * reach it; on Linux its state in /proc says so. Elsewhere (no /proc) it counts as alive.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}
