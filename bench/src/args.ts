/**
 * Command-line options of the benchmark, parsed and validated without side effects so they can
 * be unit-tested.
 */
import { parseArgs } from 'node:util';
import type { ScenarioId } from './types.js';

/** Peers the harness knows how to drive. */
export const knownPeers = ['rabbitmq', 'nats', 'bullmq'] as const;

/** One of the known peers. */
export type PeerId = (typeof knownPeers)[number];

/** Everything a run needs to know; every count and wait is bounded. */
export interface BenchOptions {
  peers: PeerId[];
  /** Run Chute's own drivers (durable and memory). */
  chute: boolean;
  scenarios: ScenarioId[];
  /** Message sizes in bytes for scenarios 1, 2 and 5. */
  sizes: number[];
  /** Messages per size in scenario 1 (capped by `maxBytesPerCase` for large sizes). */
  count: number;
  /** Messages filled in scenarios 3 and 4. */
  backlogCount: number;
  /** Messages published to the topic in scenario 5 (each delivered to every queue). */
  fanoutCount: number;
  /** Seconds of open-loop publishing per load level in scenario 2. */
  loadSeconds: number;
  /** Fractions of scenario 1's rate used in scenario 2. */
  loads: number[];
  /** Limit on each publish or consume phase, after which it stops and reports what it got. */
  phaseTimeoutMs: number;
  /** Publishes awaiting confirmation at once in closed-loop phases. */
  window: number;
  /** Unacknowledged messages a consumer holds. */
  prefetch: number;
  /** Largest total body volume of one case; bounds the count for 16 KiB messages. */
  maxBytesPerCase: number;
  quick: boolean;
  /** Run `chute serve` from its TypeScript sources (through tsx) or from the compiled dist/ of `npm run build`. */
  chuteFrom: 'src' | 'dist';
  /** Directory for the markdown results (a `raw/` subdirectory gets the JSON); undefined: bench/results. */
  outDir: string | undefined;
  help: boolean;
}

/** Text printed by --help. */
export const usage = `Usage: npm run bench -- [options]

  --peers LIST        comma list of ${knownPeers.join(', ')} (or "none"); default all
  --no-chute          leave Chute out (peers only)
  --scenario LIST     comma list of 1-5, or "all" (default all)
  --sizes LIST        message sizes, e.g. 16,1KiB,16KiB (default 16,1KiB,16KiB)
  --count N           messages per size in scenario 1 (default 100000; quick 20000)
  --backlog N         messages filled in scenarios 3 and 4 (default 1000000; quick 50000)
  --fanout-count N    messages published in scenario 5 (default 20000; quick 3000)
  --load-seconds S    open-loop seconds per load level in scenario 2 (default 5; quick 2)
  --timeout S         limit of each publish/consume phase (default 300; quick 60)
  --window N          publishes awaiting confirmation at once (default 1000)
  --prefetch N        consumer prefetch (default 1000)
  --quick             small counts, for a run of a few minutes
  --chute-from WHERE  src (default: TypeScript sources through tsx) or dist
                      (the output of npm run build, as installed users run it)
  --out DIR           results directory (default bench/results; relative to the repository's root)
`;

const defaults = {
  full: { count: 100_000, backlogCount: 1_000_000, fanoutCount: 20_000, loadSeconds: 5, timeoutS: 300 },
  quick: { count: 20_000, backlogCount: 50_000, fanoutCount: 3_000, loadSeconds: 2, timeoutS: 60 },
};

/** Parses a size such as `16`, `1k`, `1KiB`, `16kb` into bytes. */
export function parseSize(text: string): number {
  const m = /^(\d+)\s*(b|k|kb|kib|m|mb|mib)?$/i.exec(text.trim());
  if (m === null) throw new Error(`--sizes: cannot read "${text}" (use e.g. 16, 1KiB, 16KiB)`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const factor = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1;
  const bytes = Number(m[1]) * factor;
  // Every body carries a 16-byte timestamp and sequence header, and no peer takes more than 1 MiB.
  if (bytes < 16 || bytes > 1024 * 1024) throw new Error(`--sizes: ${text} is outside 16 B to 1 MiB`);
  return bytes;
}

/** Formats a byte count the way tables show sizes: `16 B`, `1 KiB`, `16 KiB`. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

function positiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name}: expected a positive whole number, got "${text}"`);
  return n;
}

function positiveNumber(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: expected a positive number, got "${text}"`);
  return n;
}

function parsePeers(text: string | undefined): PeerId[] {
  if (text === undefined || text === 'all') return [...knownPeers];
  if (text === 'none' || text === '') return [];
  const out: PeerId[] = [];
  for (const part of text.split(',').map((s) => s.trim().toLowerCase())) {
    const peer = knownPeers.find((p) => p === part);
    if (peer === undefined) throw new Error(`--peers: unknown peer "${part}" (known: ${knownPeers.join(', ')})`);
    if (!out.includes(peer)) out.push(peer);
  }
  return out;
}

function parseScenarios(text: string | undefined): ScenarioId[] {
  if (text === undefined || text === 'all') return [1, 2, 3, 4, 5];
  const out: ScenarioId[] = [];
  for (const part of text.split(',').map((s) => s.trim())) {
    const n = Number(part);
    if (n !== 1 && n !== 2 && n !== 3 && n !== 4 && n !== 5) throw new Error(`--scenario: "${part}" is not one of 1-5 (or give "all" alone)`);
    if (!out.includes(n)) out.push(n);
  }
  return out.sort((a, b) => a - b);
}

/** Parses argv (without node and script) into validated options; throws an Error naming the flag. */
export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      peers: { type: 'string' },
      'no-chute': { type: 'boolean' },
      scenario: { type: 'string' },
      sizes: { type: 'string' },
      count: { type: 'string' },
      backlog: { type: 'string' },
      'fanout-count': { type: 'string' },
      'load-seconds': { type: 'string' },
      timeout: { type: 'string' },
      window: { type: 'string' },
      prefetch: { type: 'string' },
      quick: { type: 'boolean' },
      'chute-from': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const quick = values.quick === true;
  const d = quick ? defaults.quick : defaults.full;
  const chuteFrom = values['chute-from'] ?? 'src';
  if (chuteFrom !== 'src' && chuteFrom !== 'dist') throw new Error(`--chute-from: expected src or dist, got "${chuteFrom}"`);
  const sizes = (values.sizes ?? '16,1KiB,16KiB').split(',').map(parseSize);
  const peers = parsePeers(values.peers);
  const chute = values['no-chute'] !== true;
  if (!chute && peers.length === 0 && values.help !== true) throw new Error('--no-chute with --peers none leaves nothing to measure');
  return {
    peers,
    chute,
    scenarios: parseScenarios(values.scenario),
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    count: positiveInt('count', values.count, d.count),
    backlogCount: positiveInt('backlog', values.backlog, d.backlogCount),
    fanoutCount: positiveInt('fanout-count', values['fanout-count'], d.fanoutCount),
    loadSeconds: positiveNumber('load-seconds', values['load-seconds'], d.loadSeconds),
    loads: [0.1, 0.5, 0.8],
    phaseTimeoutMs: Math.round(positiveNumber('timeout', values.timeout, d.timeoutS) * 1000),
    window: positiveInt('window', values.window, 1000),
    prefetch: positiveInt('prefetch', values.prefetch, 1000),
    maxBytesPerCase: 512 * 1024 * 1024,
    quick,
    chuteFrom,
    outDir: values.out,
    help: values.help === true,
  };
}

/** Messages of scenario 1 for one size: the count, bounded by the byte volume of one case. */
export function countForSize(options: Pick<BenchOptions, 'count' | 'maxBytesPerCase'>, size: number): number {
  return Math.max(1, Math.min(options.count, Math.floor(options.maxBytesPerCase / size)));
}
