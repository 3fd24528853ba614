/**
 * Every named limit and default of the broker, in one place, each with its unit in the name.
 * docs/semantics.md restates them; change both together.
 */

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const MIB = 1024 * 1024;

/** Limits and defaults of queue configuration. */
export const QueueLimits = {
  nameMaxChars: 80,
  visibilityTimeoutDefaultMs: 30 * SECOND_MS,
  visibilityTimeoutMaxMs: 12 * HOUR_MS,
  delayMaxMs: 15 * MINUTE_MS,
  retentionDefaultMs: 4 * DAY_MS,
  retentionMinMs: 1 * SECOND_MS,
  retentionMaxMs: 14 * DAY_MS,
  maxMessageBytesDefault: 1 * MIB,
  maxMessageBytesMax: 16 * MIB,
  maxDeliveriesMax: 1000,
  dedupWindowDefaultMs: 5 * MINUTE_MS,
  dedupWindowMaxMs: 1 * DAY_MS,
  receiveWaitMaxMs: 20 * SECOND_MS,
  tagCountMax: 50,
  tagKeyMaxChars: 128,
  tagValueMaxChars: 256,
} as const;

/** Limits on a single message and on batches. */
export const MessageLimits = {
  headerCountMax: 64,
  headerNameMaxChars: 256,
  headersMaxBytes: 64 * 1024,
  priorityMax: 9,
  groupIdMaxChars: 128,
  dedupIdMaxChars: 128,
  routingKeyMaxChars: 255,
  batchEntriesMax: 1000,
  batchEntryIdMaxChars: 80,
  peekMax: 1000,
  /**
   * A receive or peek stops adding messages once their bodies add up to this many bytes (it
   * always returns at least one), so an answer stays a size both sides can hold and encode.
   */
  receiveMaxBytes: 16 * MIB,
} as const;

/** Limits on topics and subscriptions. */
export const TopicLimits = {
  nameMaxChars: 80,
  subscriptionsMax: 256,
  filterHeadersMax: 16,
} as const;
