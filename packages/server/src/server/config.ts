/**
 * The server's configuration: defaults, the JSON config file, `CHUTE_*` environment variables and
 * command-line flags, merged in that order (flags win), then validated so that a mistake stops the
 * server at start with a message naming the field, instead of surprising it later.
 */
import fs from 'node:fs';
import v8 from 'node:v8';
import { QueueLimits } from '../core/limits.js';
import { allActions, type Action, type Permission } from '../protocols/auth-types.js';

/** One access token from the config file. */
export interface TokenConfig {
  /** Shown in logs and consumer listings instead of the secret. */
  name: string;
  /** The secret a client sends as `Authorization: Bearer <token>`; also the SQS secret key. */
  token: string;
  /** SQS access key id of this credential; default: the token's name. */
  accessKeyId?: string;
  permissions: Permission[];
}

/** Limits that protect the server from large, slow or too many requests. */
export interface ServerLimits {
  /** Largest request body of a send or publish (bytes), bounded before it is buffered. */
  maxRequestBytes: number;
  /** Largest request body of every other route (bytes). */
  maxControlRequestBytes: number;
  /** Time allowed to receive a whole request, headers and body (ms). */
  requestTimeoutMs: number;
  /** Time allowed to receive the request headers (ms); cuts off slow-loris clients. */
  headersTimeoutMs: number;
  /** A connection idle (no bytes either way) this long is closed (ms); must exceed the longest long poll. */
  connectionTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests (ms). */
  keepAliveTimeoutMs: number;
  /** Sends are refused with 429 Overloaded while the V8 heap in use is above this (bytes); null = off. */
  maxHeapUsedBytes: number | null;
  /** Sends are refused with 429 Overloaded while the resident set size is above this (bytes); null = off. */
  maxRssBytes: number | null;
  /** How long a graceful shutdown waits for in-flight requests before closing their connections (ms). */
  shutdownTimeoutMs: number;
}

/** Settings of the SQS-compatible API. */
export interface SqsConfig {
  accountId: string;
  region: string;
  /** Base URL put into queue URLs when clients reach the server through a proxy. */
  externalUrl?: string;
}

/** pino's log levels, plus `silent`. */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** One of {@link logLevels}. */
export type LogLevel = (typeof logLevels)[number];

/** The complete, validated server configuration. */
export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  /** Allow a non-loopback host without tokens, and then accept every peer. */
  insecure: boolean;
  logLevel: LogLevel;
  /** Log one line per HTTP request (off by default). */
  logRequests: boolean;
  tokens: TokenConfig[];
  limits: ServerLimits;
  sqs: SqsConfig;
}

/** The command-line flags `chute serve` accepts; unset flags are undefined. */
export interface ServeFlags {
  port?: string;
  host?: string;
  dataDir?: string;
  config?: string;
  insecure?: boolean;
  logLevel?: string;
  logRequests?: boolean;
}

/** A configuration mistake; `field` names it the way the user wrote it (flag, variable or key). */
export class ConfigError extends Error {
  readonly field: string;

  constructor(field: string, message: string) {
    super(`invalid configuration: ${field}: ${message}`);
    this.name = 'ConfigError';
    this.field = field;
  }
}

const MIB = 1024 * 1024;
/**
 * A send carries the largest message base64-encoded (4/3 of its size) inside JSON, with headers
 * up to 64 KiB and some structure; 1 MiB of slack covers the structure of a batch as well.
 */
const defaultMaxRequestBytes = Math.ceil((QueueLimits.maxMessageBytesMax * 4) / 3) + 1 * MIB;

/** The defaults, before the file, the environment and the flags apply. */
export function defaultConfig(): ServerConfig {
  return {
    port: 7070,
    host: '127.0.0.1',
    dataDir: './chute-data',
    insecure: false,
    logLevel: 'info',
    logRequests: false,
    tokens: [],
    limits: {
      maxRequestBytes: defaultMaxRequestBytes,
      maxControlRequestBytes: 1 * MIB,
      requestTimeoutMs: 60_000,
      headersTimeoutMs: 10_000,
      connectionTimeoutMs: 75_000,
      keepAliveTimeoutMs: 65_000,
      // Pushing back well before V8's own limit leaves room to finish what is in flight.
      maxHeapUsedBytes: Math.floor(v8.getHeapStatistics().heap_size_limit * 0.85),
      maxRssBytes: null,
      shutdownTimeoutMs: 30_000,
    },
    sqs: { accountId: '000000000000', region: 'us-east-1' },
  };
}

/** Where the raw values come from; injectable for tests. */
export interface ConfigSources {
  flags: ServeFlags;
  env: NodeJS.ProcessEnv;
  readFile?: (path: string) => string;
}

/** Merges defaults < config file < environment < flags and validates the result. Throws ConfigError. */
export function resolveConfig(sources: ConfigSources): ServerConfig {
  const { flags, env } = sources;
  const readFile = sources.readFile ?? ((p: string) => fs.readFileSync(p, 'utf8'));
  const config = defaultConfig();

  const configPath = flags.config ?? env.CHUTE_CONFIG;
  if (configPath !== undefined && configPath !== '') applyFile(config, readConfigFile(configPath, readFile));

  applyScalars(config, fromEnv(env), 'env');
  applyScalars(config, fromFlags(flags), 'flag');
  if (config.limits.headersTimeoutMs > config.limits.requestTimeoutMs) {
    // Node refuses a headers timeout longer than the whole-request timeout.
    throw new ConfigError('limits.headersTimeoutMs', `must not exceed limits.requestTimeoutMs (${config.limits.requestTimeoutMs})`);
  }
  if (config.limits.connectionTimeoutMs <= QueueLimits.receiveWaitMaxMs) {
    throw new ConfigError('limits.connectionTimeoutMs', `must exceed the longest long poll (${QueueLimits.receiveWaitMaxMs} ms)`);
  }
  return config;
}

/** The scalar settings that flags and environment variables can set. */
interface ScalarInput {
  port?: [string, unknown];
  host?: [string, unknown];
  dataDir?: [string, unknown];
  insecure?: [string, unknown];
  logLevel?: [string, unknown];
  logRequests?: [string, unknown];
}

const envNames: Record<keyof ScalarInput, string> = {
  port: 'CHUTE_PORT',
  host: 'CHUTE_HOST',
  dataDir: 'CHUTE_DATA_DIR',
  insecure: 'CHUTE_INSECURE',
  logLevel: 'CHUTE_LOG_LEVEL',
  logRequests: 'CHUTE_LOG_REQUESTS',
};

const flagNames: Record<keyof ScalarInput, string> = {
  port: '--port',
  host: '--host',
  dataDir: '--data-dir',
  insecure: '--insecure',
  logLevel: '--log-level',
  logRequests: '--log-requests',
};

function fromEnv(env: NodeJS.ProcessEnv): ScalarInput {
  const out: ScalarInput = {};
  for (const key of Object.keys(envNames) as Array<keyof ScalarInput>) {
    const value = env[envNames[key]];
    if (value !== undefined && value !== '') out[key] = [envNames[key], value];
  }
  return out;
}

function fromFlags(flags: ServeFlags): ScalarInput {
  const out: ScalarInput = {};
  for (const key of Object.keys(flagNames) as Array<keyof ScalarInput>) {
    const value = flags[key];
    if (value !== undefined) out[key] = [flagNames[key], value];
  }
  return out;
}

/** Applies flag or environment strings (booleans may be real booleans from flags). */
function applyScalars(config: ServerConfig, input: ScalarInput, kind: 'env' | 'flag'): void {
  if (input.port) config.port = parsePort(input.port[0], input.port[1]);
  if (input.host) config.host = parseNonEmpty(input.host[0], input.host[1]);
  if (input.dataDir) config.dataDir = parseNonEmpty(input.dataDir[0], input.dataDir[1]);
  if (input.insecure) config.insecure = parseBool(input.insecure[0], input.insecure[1], kind);
  if (input.logLevel) config.logLevel = parseLogLevel(input.logLevel[0], input.logLevel[1]);
  if (input.logRequests) config.logRequests = parseBool(input.logRequests[0], input.logRequests[1], kind);
}

function readConfigFile(configPath: string, readFile: (p: string) => string): Record<string, unknown> {
  let text: string;
  try {
    text = readFile(configPath);
  } catch (e) {
    throw new ConfigError('--config', `cannot read ${configPath}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ConfigError('--config', `${configPath} is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(parsed)) throw new ConfigError('--config', `${configPath} must hold a JSON object`);
  return parsed;
}

const fileKeys = ['port', 'host', 'dataDir', 'insecure', 'logLevel', 'logRequests', 'tokens', 'limits', 'sqs'];
const limitKeys = Object.keys(defaultConfig().limits) as Array<keyof ServerLimits>;

function applyFile(config: ServerConfig, file: Record<string, unknown>): void {
  for (const key of Object.keys(file)) {
    if (!fileKeys.includes(key)) throw new ConfigError(key, `unknown setting (known: ${fileKeys.join(', ')})`);
  }
  if (file.port !== undefined) config.port = parsePort('port', file.port);
  if (file.host !== undefined) config.host = parseNonEmpty('host', file.host);
  if (file.dataDir !== undefined) config.dataDir = parseNonEmpty('dataDir', file.dataDir);
  if (file.insecure !== undefined) config.insecure = parseBool('insecure', file.insecure, 'file');
  if (file.logLevel !== undefined) config.logLevel = parseLogLevel('logLevel', file.logLevel);
  if (file.logRequests !== undefined) config.logRequests = parseBool('logRequests', file.logRequests, 'file');
  if (file.tokens !== undefined) config.tokens = parseTokens(file.tokens);
  if (file.limits !== undefined) config.limits = parseLimits(config.limits, file.limits);
  if (file.sqs !== undefined) config.sqs = parseSqs(config.sqs, file.sqs);
}

function parseTokens(value: unknown): TokenConfig[] {
  if (!Array.isArray(value)) throw new ConfigError('tokens', 'must be an array');
  const names = new Set<string>();
  const secrets = new Set<string>();
  return value.map((raw, i) => {
    const at = `tokens[${i}]`;
    if (!isObject(raw)) throw new ConfigError(at, 'must be an object');
    for (const key of Object.keys(raw)) {
      if (!['name', 'token', 'accessKeyId', 'permissions'].includes(key)) throw new ConfigError(`${at}.${key}`, 'unknown setting');
    }
    const name = parseNonEmpty(`${at}.name`, raw.name);
    if (names.has(name)) throw new ConfigError(`${at}.name`, `duplicate token name "${name}"`);
    names.add(name);
    if (typeof raw.token !== 'string' || raw.token.length < 8) {
      throw new ConfigError(`${at}.token`, 'must be a string of at least 8 characters');
    }
    if (secrets.has(raw.token)) throw new ConfigError(`${at}.token`, 'the same secret is used by two tokens');
    secrets.add(raw.token);
    if (!Array.isArray(raw.permissions)) throw new ConfigError(`${at}.permissions`, 'must be an array');
    const token: TokenConfig = {
      name,
      token: raw.token,
      permissions: raw.permissions.map((p, j) => parsePermission(`${at}.permissions[${j}]`, p)),
    };
    if (raw.accessKeyId !== undefined) token.accessKeyId = parseNonEmpty(`${at}.accessKeyId`, raw.accessKeyId);
    return token;
  });
}

function parsePermission(at: string, raw: unknown): Permission {
  if (!isObject(raw)) throw new ConfigError(at, 'must be an object');
  for (const key of Object.keys(raw)) {
    if (key !== 'queues' && key !== 'actions') throw new ConfigError(`${at}.${key}`, 'unknown setting (known: queues, actions)');
  }
  const queues = parseNonEmpty(`${at}.queues`, raw.queues);
  if (!Array.isArray(raw.actions) || raw.actions.length === 0) {
    throw new ConfigError(`${at}.actions`, `must be a non-empty array of ${allActions.join(', ')}`);
  }
  const actions = raw.actions.map((a, k) => {
    if (typeof a !== 'string' || !(allActions as readonly string[]).includes(a)) {
      throw new ConfigError(`${at}.actions[${k}]`, `must be one of ${allActions.join(', ')}`);
    }
    return a as Action;
  });
  return { queues, actions };
}

function parseLimits(current: ServerLimits, raw: unknown): ServerLimits {
  if (!isObject(raw)) throw new ConfigError('limits', 'must be an object');
  const out: ServerLimits = { ...current };
  for (const [key, value] of Object.entries(raw)) {
    if (!(limitKeys as string[]).includes(key)) {
      throw new ConfigError(`limits.${key}`, `unknown setting (known: ${limitKeys.join(', ')})`);
    }
    const k = key as keyof ServerLimits;
    const nullable = k === 'maxHeapUsedBytes' || k === 'maxRssBytes';
    if (nullable && value === null) {
      out[k] = null;
      continue;
    }
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new ConfigError(`limits.${key}`, `must be a positive integer${nullable ? ' or null' : ''}`);
    }
    out[k] = value;
  }
  return out;
}

function parseSqs(current: SqsConfig, raw: unknown): SqsConfig {
  if (!isObject(raw)) throw new ConfigError('sqs', 'must be an object');
  const out: SqsConfig = { ...current };
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'accountId') {
      if (typeof value !== 'string' || !/^\d{12}$/.test(value)) throw new ConfigError('sqs.accountId', 'must be a string of 12 digits');
      out.accountId = value;
    } else if (key === 'region') {
      out.region = parseNonEmpty('sqs.region', value);
    } else if (key === 'externalUrl') {
      const url = parseNonEmpty('sqs.externalUrl', value);
      if (!/^https?:\/\/[^/]+/.test(url)) throw new ConfigError('sqs.externalUrl', 'must be an http(s) URL');
      out.externalUrl = url.replace(/\/+$/, '');
    } else {
      throw new ConfigError(`sqs.${key}`, 'unknown setting (known: accountId, region, externalUrl)');
    }
  }
  return out;
}

function parsePort(field: string, value: unknown): number {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw new ConfigError(field, `must be an integer from 0 to 65535 (0 = any free port), got ${JSON.stringify(value)}`);
  }
  return n;
}

function parseNonEmpty(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ConfigError(field, 'must be a non-empty string');
  return value;
}

function parseBool(field: string, value: unknown, kind: 'env' | 'flag' | 'file'): boolean {
  if (typeof value === 'boolean') return value;
  if (kind !== 'file' && typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
  }
  throw new ConfigError(field, `must be a boolean${kind === 'file' ? '' : ' (true/false, 1/0)'}, got ${JSON.stringify(value)}`);
}

function parseLogLevel(field: string, value: unknown): LogLevel {
  if (typeof value !== 'string' || !(logLevels as readonly string[]).includes(value)) {
    throw new ConfigError(field, `must be one of ${logLevels.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as LogLevel;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
