/**
 * The machine header of a results file: what the numbers were measured on, including the disk's
 * fsync latency measured by the harness itself (it bounds every fsync-tier figure).
 */
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { LatencyRecorder } from './latency.js';

/** Facts about the machine and the disk under the data directory. */
export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  /** Node's own flags of the harness process, where every system's client runs. */
  harnessNodeFlags: string[];
  /** Directory the fsync probe wrote to (where Chute keeps its data during the run). */
  fsyncDir: string;
  fsyncP50Ms: number;
  fsyncP99Ms: number;
  /** The slowest fsync of the probe: this disk sometimes stalls for far longer than its p99. */
  fsyncMaxMs: number;
  /** Sequential write+fsync calls per second achieved by the probe. */
  fsyncPerSec: number;
  /** The CPU check (probeCpu) before the first system started, ms. */
  cpuCheckStartMs: number;
  /** The CPU check after the last system stopped, ms; set once the run is over. */
  cpuCheckEndMs?: number;
}

/**
 * Writes 4 KiB and fsyncs, in a loop, for up to `budgetMs` or `maxRounds` rounds, in `dir`.
 * This is what a single-writer group commit pays at the very least per flush.
 */
export function probeFsync(dir: string, budgetMs = 1500, maxRounds = 500): { p50Ms: number; p99Ms: number; maxMs: number; perSec: number } {
  const file = join(dir, `fsync-probe-${process.pid}.bin`);
  const block = Buffer.alloc(4096, 0x5a);
  const recorder = new LatencyRecorder();
  const fd = openSync(file, 'w');
  const start = performance.now();
  let rounds = 0;
  try {
    while (rounds < maxRounds && performance.now() - start < budgetMs) {
      const t0 = performance.now();
      writeSync(fd, block, 0, block.length, (rounds % 256) * block.length);
      fsyncSync(fd);
      recorder.record(performance.now() - t0);
      rounds++;
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  const elapsedS = (performance.now() - start) / 1000;
  const s = recorder.summary();
  return { p50Ms: s.p50Ms, p99Ms: s.p99Ms, maxMs: s.maxMs, perSec: rounds / elapsedS };
}

/** Rounds of the CPU check's workload in one timing: about 20 ms on a 2026 server core. */
const cpuCheckRounds = 100;

/**
 * A fixed amount of single-threaded JavaScript work of the kind a broker does per message:
 * building small objects and strings and taking them through JSON. Returns a checksum so that
 * the work cannot be optimised away.
 */
function cpuWorkload(rounds: number): number {
  let sum = 0;
  for (let r = 0; r < rounds; r++) {
    const items: Array<{ id: string; seq: number; ok: boolean; at: number }> = [];
    for (let i = 0; i < 500; i++) items.push({ id: `m${r}-${i}`, seq: r * 500 + i, ok: (i & 1) === 0, at: 1.5 * i });
    const back = JSON.parse(JSON.stringify(items)) as typeof items;
    for (const it of back) sum += it.seq + it.id.length;
  }
  return sum;
}

/**
 * Times the fixed workload `reps` times (after one untimed round for the compiler) and returns
 * the median, in ms. The same machine reads about the same figure whenever it is quiet; a higher
 * one means its cores were slower or shared (other virtual machines on the host, say) when it
 * was taken. Runs of this harness are only comparable when their checks are.
 */
export function probeCpu(reps = 5): number {
  let checksum = cpuWorkload(cpuCheckRounds);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    checksum += cpuWorkload(cpuCheckRounds);
    times.push(performance.now() - t0);
  }
  if (!Number.isFinite(checksum)) throw new Error('the CPU check workload went wrong');
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

/** Collects the machine header, probing fsync in `dataDir`. */
export function describeMachine(dataDir: string): MachineInfo {
  const cpus = os.cpus();
  const fsync = probeFsync(dataDir);
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    harnessNodeFlags: process.execArgv,
    fsyncDir: dataDir,
    fsyncP50Ms: fsync.p50Ms,
    fsyncP99Ms: fsync.p99Ms,
    fsyncMaxMs: fsync.maxMs,
    fsyncPerSec: fsync.perSec,
    cpuCheckStartMs: probeCpu(),
  };
}
