/**
 * Broker process lookups for memory sampling: pids through pgrep, resident memory from /proc.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The oldest process whose full command line matches `pattern` (pgrep -o -f), or null. */
export async function findPid(pattern: string): Promise<number | null> {
  try {
    const { stdout } = await execFileAsync('pgrep', ['-o', '-f', pattern]);
    const pid = Number(stdout.trim().split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    // pgrep exits 1 when nothing matches.
    return null;
  }
}

/** Resident set size of `pid` in bytes (VmRSS), or null when the process is gone or unreadable. */
export function readRssBytes(pid: number): number | null {
  return readStatusBytes(pid, 'VmRSS');
}

/**
 * Anonymous resident memory of `pid` in bytes (RssAnon): the heap and other allocations, without
 * the file-backed pages of memory-mapped data files, which are page cache the kernel can reclaim.
 */
export function readAnonBytes(pid: number): number | null {
  return readStatusBytes(pid, 'RssAnon');
}

function readStatusBytes(pid: number, field: string): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
    return m === null ? null : Number(m[1]) * 1024;
  } catch {
    return null;
  }
}

/** Samples the RSS of one process on an interval and keeps the peak. */
export class RssSampler {
  private timer: NodeJS.Timeout | null = null;
  /** Highest RSS seen, in bytes (0 before the first sample). */
  peakBytes = 0;
  /** Most recent RSS, in bytes. */
  lastBytes = 0;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 200,
  ) {}

  /** Takes one sample now and returns it. */
  sample(): number | null {
    const rss = readRssBytes(this.pid);
    if (rss !== null) {
      this.lastBytes = rss;
      if (rss > this.peakBytes) this.peakBytes = rss;
    }
    return rss;
  }

  /** Starts sampling in the background. */
  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops sampling (after a last sample). */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.sample();
  }
}
