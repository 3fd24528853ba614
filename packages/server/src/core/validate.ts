/**
 * Input validation for the Broker: every check names the field and the limit it enforces, and
 * runs before anything is stored.
 */
import { createHash } from 'node:crypto';
import { ChuteError, invalidArgument } from './errors.js';
import { MessageLimits, QueueLimits, TopicLimits } from './limits.js';
import type { NormalizedSend } from './backend.js';
import type { Headers, QueueConfig, SendInput, SubscriptionFilter } from './types.js';

const NAME_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;
const HEADER_NAME_PATTERN = /^[\x21-\x7e]+$/;
const ENTRY_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

/** The configuration a queue gets when the creator says nothing. */
export function defaultQueueConfig(): QueueConfig {
  return {
    fifo: false,
    visibilityTimeoutMs: QueueLimits.visibilityTimeoutDefaultMs,
    delayMs: 0,
    retentionMs: QueueLimits.retentionDefaultMs,
    maxDeliveries: null,
    deadLetterQueue: null,
    maxLength: null,
    maxBytes: null,
    overflow: 'reject',
    expiry: 'drop',
    maxMessageBytes: QueueLimits.maxMessageBytesDefault,
    dedupWindowMs: QueueLimits.dedupWindowDefaultMs,
    contentBasedDedup: false,
    receiveWaitMs: 0,
    durable: true,
    tags: {},
    attributes: {},
  };
}

/** Checks a queue or topic name: 1-80 of letters, digits, '-', '_', '.', not starting with '.'. */
export function validateName(kind: 'queue' | 'topic', name: unknown, field = 'name'): string {
  const max = kind === 'queue' ? QueueLimits.nameMaxChars : TopicLimits.nameMaxChars;
  if (typeof name !== 'string' || name.length === 0 || name.length > max || !NAME_PATTERN.test(name)) {
    throw new ChuteError(
      'InvalidQueueName',
      `${kind} name must be 1 to ${max} characters of letters, digits, '-', '_' and '.', not starting with '.'; got ${JSON.stringify(name)}`,
      { field, limit: max },
    );
  }
  return name;
}

/** Checks an integer in [min, max]. */
export function checkInt(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    // The limit named is the bound that was crossed: the minimum for a value below it.
    const limit = typeof value === 'number' && value < min ? min : max;
    throw invalidArgument(field, `${field} must be an integer from ${min} to ${max}; got ${JSON.stringify(value)}`, limit);
  }
  return value;
}

function checkBool(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalidArgument(field, `${field} must be true or false; got ${JSON.stringify(value)}`);
  return value;
}

function checkNullableInt(field: string, value: unknown, min: number, max: number): number | null {
  return value === null ? null : checkInt(field, value, min, max);
}

function checkStringMap(field: string, value: unknown, maxCount: number, maxKey: number, maxValue: number): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument(field, `${field} must be an object of string values`);
  }
  const entries = Object.entries(value);
  if (entries.length > maxCount) throw invalidArgument(field, `${field} may hold at most ${maxCount} entries`, maxCount);
  for (const [k, v] of entries) {
    if (k.length === 0 || k.length > maxKey) throw invalidArgument(`${field}.${k}`, `${field} keys must be 1 to ${maxKey} characters`, maxKey);
    if (typeof v !== 'string' || v.length > maxValue) {
      throw invalidArgument(`${field}.${k}`, `${field} values must be strings of at most ${maxValue} characters`, maxValue);
    }
  }
  return { ...(value as Record<string, string>) };
}

const CONFIG_KEYS = new Set<keyof QueueConfig>(Object.keys(defaultQueueConfig()) as Array<keyof QueueConfig>);

/**
 * Applies a partial configuration over `base`, checking every given field. Cross-queue rules
 * (the dead-letter queue exists, no cycles) are checked by the Broker, which can see other queues.
 */
export function mergeQueueConfig(base: QueueConfig, patch: Partial<QueueConfig>, field = ''): QueueConfig {
  const f = (k: string): string => (field === '' ? k : `${field}.${k}`);
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw invalidArgument(field === '' ? 'config' : field, 'queue settings must be an object');
  }
  for (const key of Object.keys(patch)) {
    if (!CONFIG_KEYS.has(key as keyof QueueConfig)) {
      throw invalidArgument(f(key), `unknown queue setting ${JSON.stringify(key)}; known: ${[...CONFIG_KEYS].join(', ')}`);
    }
  }
  const c = { ...base, tags: { ...base.tags }, attributes: { ...base.attributes } };
  const p = patch as Record<string, unknown>;
  if (p.fifo !== undefined) c.fifo = checkBool(f('fifo'), p.fifo);
  if (p.durable !== undefined) c.durable = checkBool(f('durable'), p.durable);
  if (p.contentBasedDedup !== undefined) c.contentBasedDedup = checkBool(f('contentBasedDedup'), p.contentBasedDedup);
  if (p.visibilityTimeoutMs !== undefined) c.visibilityTimeoutMs = checkInt(f('visibilityTimeoutMs'), p.visibilityTimeoutMs, 0, QueueLimits.visibilityTimeoutMaxMs);
  if (p.delayMs !== undefined) c.delayMs = checkInt(f('delayMs'), p.delayMs, 0, QueueLimits.delayMaxMs);
  if (p.retentionMs !== undefined) c.retentionMs = checkInt(f('retentionMs'), p.retentionMs, QueueLimits.retentionMinMs, QueueLimits.retentionMaxMs);
  if (p.maxDeliveries !== undefined) c.maxDeliveries = checkNullableInt(f('maxDeliveries'), p.maxDeliveries, 1, QueueLimits.maxDeliveriesMax);
  if (p.deadLetterQueue !== undefined) c.deadLetterQueue = p.deadLetterQueue === null ? null : validateName('queue', p.deadLetterQueue, f('deadLetterQueue'));
  if (p.maxLength !== undefined) c.maxLength = checkNullableInt(f('maxLength'), p.maxLength, 1, Number.MAX_SAFE_INTEGER);
  if (p.maxBytes !== undefined) c.maxBytes = checkNullableInt(f('maxBytes'), p.maxBytes, 1, Number.MAX_SAFE_INTEGER);
  if (p.maxMessageBytes !== undefined) c.maxMessageBytes = checkInt(f('maxMessageBytes'), p.maxMessageBytes, 1, QueueLimits.maxMessageBytesMax);
  if (p.dedupWindowMs !== undefined) c.dedupWindowMs = checkInt(f('dedupWindowMs'), p.dedupWindowMs, 0, QueueLimits.dedupWindowMaxMs);
  if (p.receiveWaitMs !== undefined) c.receiveWaitMs = checkInt(f('receiveWaitMs'), p.receiveWaitMs, 0, QueueLimits.receiveWaitMaxMs);
  if (p.overflow !== undefined) {
    if (p.overflow !== 'reject' && p.overflow !== 'drop-oldest' && p.overflow !== 'dead-letter-oldest') {
      throw invalidArgument(f('overflow'), `${f('overflow')} must be "reject", "drop-oldest" or "dead-letter-oldest"`);
    }
    c.overflow = p.overflow;
  }
  if (p.expiry !== undefined) {
    if (p.expiry !== 'drop' && p.expiry !== 'dead-letter') throw invalidArgument(f('expiry'), `${f('expiry')} must be "drop" or "dead-letter"`);
    c.expiry = p.expiry;
  }
  if (p.tags !== undefined) c.tags = checkStringMap(f('tags'), p.tags, QueueLimits.tagCountMax, QueueLimits.tagKeyMaxChars, QueueLimits.tagValueMaxChars);
  if (p.attributes !== undefined) c.attributes = checkStringMap(f('attributes'), p.attributes, 64, 256, 64 * 1024);
  if (c.maxDeliveries !== null && c.deadLetterQueue === null) {
    throw invalidArgument(f('deadLetterQueue'), 'maxDeliveries needs a deadLetterQueue to move messages to');
  }
  if ((c.overflow === 'dead-letter-oldest' || c.expiry === 'dead-letter') && c.deadLetterQueue === null) {
    throw invalidArgument(f('deadLetterQueue'), 'dead-lettering overflow or expired messages needs a deadLetterQueue');
  }
  return c;
}

/** Checks headers: at most 64, names printable ASCII up to 256 chars, 64 KiB in all. */
export function validateHeaders(field: string, headers: unknown): Headers {
  if (headers === undefined) return {};
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    throw invalidArgument(field, `${field} must be an object of string, number or bytes values`);
  }
  const entries = Object.entries(headers);
  if (entries.length > MessageLimits.headerCountMax) {
    throw invalidArgument(field, `${field} may hold at most ${MessageLimits.headerCountMax} headers; got ${entries.length}`, MessageLimits.headerCountMax);
  }
  let bytes = 0;
  for (const [name, value] of entries) {
    if (name.length > MessageLimits.headerNameMaxChars || !HEADER_NAME_PATTERN.test(name)) {
      throw invalidArgument(`${field}.${name}`, `header names must be 1 to ${MessageLimits.headerNameMaxChars} printable ASCII characters`, MessageLimits.headerNameMaxChars);
    }
    bytes += Buffer.byteLength(name);
    if (typeof value === 'string') bytes += Buffer.byteLength(value);
    else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw invalidArgument(`${field}.${name}`, 'number headers must be finite');
      bytes += 8;
    } else if (value instanceof Uint8Array) bytes += value.byteLength;
    else throw invalidArgument(`${field}.${name}`, 'header values must be strings, finite numbers or bytes');
  }
  if (bytes > MessageLimits.headersMaxBytes) {
    throw invalidArgument(field, `${field} total ${bytes} bytes; the limit is ${MessageLimits.headersMaxBytes}`, MessageLimits.headersMaxBytes);
  }
  return { ...(headers as Headers) };
}

function optionalString(field: string, value: unknown, maxChars: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > maxChars) {
    throw invalidArgument(field, `${field} must be a string of 1 to ${maxChars} characters`, maxChars);
  }
  return value;
}

/** Validates one send entry against its queue's configuration and applies the defaults. */
export function normalizeSend(config: QueueConfig, input: SendInput, field: string): NormalizedSend {
  if (typeof input !== 'object' || input === null) throw invalidArgument(field, `${field} must be an object`);
  const body = input.body;
  if (!(body instanceof Uint8Array)) throw invalidArgument(`${field}.body`, `${field}.body must be bytes`);
  if (body.byteLength > config.maxMessageBytes) {
    throw new ChuteError('MessageTooLarge', `${field}.body is ${body.byteLength} bytes; this queue accepts at most ${config.maxMessageBytes}`, {
      field: `${field}.body`,
      limit: config.maxMessageBytes,
    });
  }
  const headers = validateHeaders(`${field}.headers`, input.headers);
  const priority = input.priority === undefined ? 0 : checkInt(`${field}.priority`, input.priority, 0, MessageLimits.priorityMax);
  const delayMs = input.delayMs === undefined ? config.delayMs : checkInt(`${field}.delayMs`, input.delayMs, 0, QueueLimits.delayMaxMs);
  const ttlMs = input.ttlMs === undefined ? null : checkInt(`${field}.ttlMs`, input.ttlMs, 1, QueueLimits.retentionMaxMs);
  const groupId = optionalString(`${field}.groupId`, input.groupId, MessageLimits.groupIdMaxChars);
  const dedupId = optionalString(`${field}.dedupId`, input.dedupId, MessageLimits.dedupIdMaxChars);
  if (config.fifo && groupId === undefined) {
    throw invalidArgument(`${field}.groupId`, `${field}.groupId is required on a FIFO queue`);
  }
  if (config.fifo && priority !== 0) {
    throw invalidArgument(`${field}.priority`, 'FIFO queues keep strict order per group and take no priority');
  }
  const out: NormalizedSend = { body, headers, priority, delayMs, ttlMs };
  if (input.entryId !== undefined) out.entryId = input.entryId;
  if (groupId !== undefined) out.groupId = groupId;
  if (dedupId !== undefined) {
    out.dedupId = dedupId;
    out.dedupKey = `id:${dedupId}`;
  } else if (config.contentBasedDedup) {
    out.dedupKey = `sha256:${createHash('sha256').update(body).digest('base64')}`;
  }
  return out;
}

/** Checks the batch-level rules of a list of entries: count and distinct, well-formed entry ids. */
export function validateBatch(field: string, entries: unknown, entryIds: Array<string | undefined>): void {
  if (!Array.isArray(entries)) throw invalidArgument(field, `${field} must be an array`);
  if (entries.length === 0) throw new ChuteError('EmptyBatch', `${field} holds no entries`, { field });
  if (entries.length > MessageLimits.batchEntriesMax) {
    throw new ChuteError('BatchTooLarge', `${field} holds ${entries.length} entries; at most ${MessageLimits.batchEntriesMax} are allowed`, {
      field,
      limit: MessageLimits.batchEntriesMax,
    });
  }
  const seen = new Set<string>();
  entryIds.forEach((id, i) => {
    if (id === undefined) return;
    if (typeof id !== 'string' || id.length === 0 || id.length > MessageLimits.batchEntryIdMaxChars || !ENTRY_ID_PATTERN.test(id)) {
      throw new ChuteError('InvalidBatchEntryId', `${field}[${i}].entryId must be 1 to ${MessageLimits.batchEntryIdMaxChars} letters, digits, '-' or '_'`, {
        field: `${field}[${i}].entryId`,
        limit: MessageLimits.batchEntryIdMaxChars,
      });
    }
    if (seen.has(id)) {
      throw new ChuteError('BatchEntryIdsNotDistinct', `${field} uses entry id ${JSON.stringify(id)} more than once`, { field: `${field}[${i}].entryId` });
    }
    seen.add(id);
  });
}

/** Checks a subscription filter. */
export function validateFilter(filter: unknown): SubscriptionFilter {
  if (filter === undefined) return {};
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) throw invalidArgument('filter', 'filter must be an object');
  const f = filter as Record<string, unknown>;
  for (const key of Object.keys(f)) {
    if (key !== 'routingKey' && key !== 'headers') throw invalidArgument(`filter.${key}`, `unknown filter part ${JSON.stringify(key)}; known: routingKey, headers`);
  }
  const out: SubscriptionFilter = {};
  if (f.routingKey !== undefined) {
    if (typeof f.routingKey !== 'string' || f.routingKey.length === 0 || f.routingKey.length > MessageLimits.routingKeyMaxChars) {
      throw invalidArgument('filter.routingKey', `filter.routingKey must be 1 to ${MessageLimits.routingKeyMaxChars} characters`, MessageLimits.routingKeyMaxChars);
    }
    out.routingKey = f.routingKey;
  }
  if (f.headers !== undefined) {
    if (typeof f.headers !== 'object' || f.headers === null || Array.isArray(f.headers)) throw invalidArgument('filter.headers', 'filter.headers must be an object');
    const entries = Object.entries(f.headers);
    if (entries.length > TopicLimits.filterHeadersMax) {
      throw invalidArgument('filter.headers', `filter.headers may hold at most ${TopicLimits.filterHeadersMax} entries`, TopicLimits.filterHeadersMax);
    }
    for (const [k, v] of entries) {
      if (typeof v !== 'string' && typeof v !== 'number') throw invalidArgument(`filter.headers.${k}`, 'filter header values must be strings or numbers');
    }
    out.headers = { ...(f.headers as Record<string, string | number>) };
  }
  return out;
}

/** Checks a routing key given to publish. */
export function validateRoutingKey(value: unknown, field = 'routingKey'): string {
  if (value === undefined) return '';
  if (typeof value !== 'string' || value.length > MessageLimits.routingKeyMaxChars) {
    throw invalidArgument(field, `${field} must be a string of at most ${MessageLimits.routingKeyMaxChars} characters`, MessageLimits.routingKeyMaxChars);
  }
  return value;
}
