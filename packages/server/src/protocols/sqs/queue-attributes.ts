/**
 * SQS queue attributes and the broker's QueueConfig: which attribute is which setting, how values
 * are checked, and how a queue (its config and stats) reads back as attributes. Attributes the
 * broker does not model are kept verbatim in `QueueConfig.attributes` so they read back unchanged.
 */
import type { BrokerApi } from '../../core/broker-api.js';
import type { QueueConfig, QueueInfo, QueueStats } from '../../core/types.js';
import { SqsError, invalidParameter } from './errors.js';
import { SqsLimits } from './limits.js';
import { isRecord } from './params.js';
import { queueArn, queueNameFromArn, type QueueNaming } from './queue-url.js';

const SECOND_MS = 1000;

/** Integer attributes that map onto a millisecond or byte setting of the broker. */
const numericAttributes = {
  VisibilityTimeout: { key: 'visibilityTimeoutMs', min: 0, max: SqsLimits.visibilityTimeoutSecondsMax, scale: SECOND_MS },
  DelaySeconds: { key: 'delayMs', min: 0, max: SqsLimits.delaySecondsMax, scale: SECOND_MS },
  ReceiveMessageWaitTimeSeconds: { key: 'receiveWaitMs', min: 0, max: SqsLimits.waitTimeSecondsMax, scale: SECOND_MS },
  MessageRetentionPeriod: { key: 'retentionMs', min: SqsLimits.retentionSecondsMin, max: SqsLimits.retentionSecondsMax, scale: SECOND_MS },
  MaximumMessageSize: { key: 'maxMessageBytes', min: SqsLimits.maximumMessageSizeMin, max: SqsLimits.maximumMessageSizeMax, scale: 1 },
} as const;

type NumericAttribute = keyof typeof numericAttributes;

/** Attributes kept verbatim in `QueueConfig.attributes`, each with its check. */
const storedAttributes: Record<string, (value: string) => boolean> = {
  Policy: (v) => v === '' || isJsonObject(v),
  KmsMasterKeyId: () => true,
  KmsDataKeyReusePeriodSeconds: (v) => isIntIn(v, 60, 86_400),
  SqsManagedSseEnabled: (v) => v === 'true' || v === 'false',
  RedriveAllowPolicy: (v) => v === '' || parseRedriveAllowPolicy(v) !== null,
};

/** Stored attributes that only FIFO queues accept. */
const fifoStoredAttributes: Record<string, (value: string) => boolean> = {
  DeduplicationScope: (v) => v === 'messageGroup' || v === 'queue',
  FifoThroughputLimit: (v) => v === 'perQueue' || v === 'perMessageGroupId',
};

/** Attributes computed from the queue's state; they can be read but never set. */
const readOnlyAttributes = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
] as const;

/** Every attribute name GetQueueAttributes knows, besides `All`. */
export const knownAttributeNames: readonly string[] = [
  ...Object.keys(numericAttributes),
  ...readOnlyAttributes,
  'RedrivePolicy',
  'FifoQueue',
  'ContentBasedDeduplication',
  ...Object.keys(storedAttributes),
  ...Object.keys(fifoStoredAttributes),
];

/** A RedriveAllowPolicy after checking. */
export interface RedriveAllowPolicy {
  redrivePermission: 'allowAll' | 'denyAll' | 'byQueue';
  sourceQueueArns: string[];
}

/**
 * Turns CreateQueue / SetQueueAttributes attributes into a broker config patch. `existing` is the
 * queue being changed (null on create, where FifoQueue may be given). Checks every value against
 * SQS's rules, resolves a RedrivePolicy's dead-letter ARN to a queue that must exist, and honours
 * that queue's RedriveAllowPolicy.
 */
export async function attributesToConfig(
  broker: BrokerApi,
  naming: QueueNaming,
  queueName: string,
  attributes: Record<string, string>,
  existing: QueueInfo | null,
): Promise<Partial<QueueConfig>> {
  const patch: Partial<QueueConfig> = {};
  const stored: Record<string, string> = { ...(existing?.config.attributes ?? {}) };
  let storedChanged = false;
  const fifo = existing === null ? attributes.FifoQueue === 'true' : existing.config.fifo;

  for (const [name, value] of Object.entries(attributes)) {
    if (name in numericAttributes) {
      const spec = numericAttributes[name as NumericAttribute];
      if (!isIntIn(value, spec.min, spec.max)) throw invalidAttributeValue(name, `must be an integer from ${spec.min} to ${spec.max}`);
      patch[spec.key] = Number(value) * spec.scale;
    } else if (name === 'FifoQueue') {
      if (existing !== null) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
      if (value !== 'true' && value !== 'false') throw invalidAttributeValue(name, 'must be true or false');
      patch.fifo = value === 'true';
    } else if (name === 'ContentBasedDeduplication') {
      if (!fifo) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
      if (value !== 'true' && value !== 'false') throw invalidAttributeValue(name, 'must be true or false');
      patch.contentBasedDedup = value === 'true';
    } else if (name === 'RedrivePolicy') {
      Object.assign(patch, await redrivePolicyToConfig(broker, naming, queueName, fifo, value));
    } else if (name in storedAttributes || (fifo && name in fifoStoredAttributes)) {
      const check = storedAttributes[name] ?? fifoStoredAttributes[name]!;
      if (!check(value)) throw invalidAttributeValue(name, 'the value is not allowed');
      if (value === '') delete stored[name];
      else stored[name] = value;
      storedChanged = true;
    } else {
      throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
  }
  if (storedChanged) patch.attributes = stored;
  return patch;
}

/** Parses a RedrivePolicy (or `""` to remove it) into maxDeliveries / deadLetterQueue. */
async function redrivePolicyToConfig(
  broker: BrokerApi,
  naming: QueueNaming,
  queueName: string,
  fifo: boolean,
  value: string,
): Promise<Pick<QueueConfig, 'maxDeliveries' | 'deadLetterQueue'>> {
  if (value === '') return { maxDeliveries: null, deadLetterQueue: null };
  const bad = (reason: string): SqsError => invalidParameter('RedrivePolicy', value, reason);
  let policy: unknown;
  try {
    policy = JSON.parse(value);
  } catch {
    throw bad('Redrive policy is not a valid JSON map.');
  }
  if (!isRecord(policy)) throw bad('Redrive policy is not a valid JSON map.');
  for (const key of Object.keys(policy)) {
    if (key !== 'deadLetterTargetArn' && key !== 'maxReceiveCount') throw bad(`Redrive policy contains the unknown attribute ${key}.`);
  }
  const arn = policy.deadLetterTargetArn;
  if (typeof arn !== 'string') throw bad('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  const countText = typeof policy.maxReceiveCount === 'number' ? String(policy.maxReceiveCount) : policy.maxReceiveCount;
  if (countText === undefined) throw bad('Redrive policy does not contain mandatory attribute: maxReceiveCount.');
  if (typeof countText !== 'string' || !isIntIn(countText, 1, SqsLimits.maxReceiveCountMax)) {
    throw bad(`Invalid value for maxReceiveCount: ${String(countText)}, valid values are from 1 to ${SqsLimits.maxReceiveCountMax} both inclusive.`);
  }
  const dlqName = queueNameFromArn(arn, 'RedrivePolicy');
  let dlq: QueueInfo;
  try {
    dlq = await broker.getQueue(dlqName);
  } catch {
    throw bad('Dead letter target does not exist.');
  }
  if (dlq.config.fifo !== fifo) throw bad('Dead-letter queue must be the same type of queue (FIFO or standard) as the source.');
  const allow = dlq.config.attributes.RedriveAllowPolicy;
  if (allow !== undefined && !redriveAllowed(parseRedriveAllowPolicy(allow), queueArn(naming, queueName))) {
    throw bad(`The dead-letter queue's RedriveAllowPolicy does not allow this queue as a source.`);
  }
  return { maxDeliveries: Number(countText), deadLetterQueue: dlqName };
}

/** Parses a RedriveAllowPolicy; null when it is not valid. */
export function parseRedriveAllowPolicy(value: string): RedriveAllowPolicy | null {
  let policy: unknown;
  try {
    policy = JSON.parse(value);
  } catch {
    return null;
  }
  if (!isRecord(policy)) return null;
  const permission = policy.redrivePermission;
  if (permission !== 'allowAll' && permission !== 'denyAll' && permission !== 'byQueue') return null;
  const arns = policy.sourceQueueArns;
  if (permission === 'byQueue') {
    if (!Array.isArray(arns) || arns.length === 0 || arns.length > 10 || !arns.every((a) => typeof a === 'string')) return null;
    return { redrivePermission: permission, sourceQueueArns: arns as string[] };
  }
  if (arns !== undefined) return null;
  return { redrivePermission: permission, sourceQueueArns: [] };
}

function redriveAllowed(policy: RedriveAllowPolicy | null, sourceArn: string): boolean {
  if (policy === null || policy.redrivePermission === 'allowAll') return true;
  if (policy.redrivePermission === 'denyAll') return false;
  return policy.sourceQueueArns.includes(sourceArn);
}

/**
 * Reads a queue back as SQS attributes. `names` are the requested names (`All` for every one);
 * attributes that do not apply to the queue (FIFO ones on a standard queue, an unset policy) are
 * left out, as Amazon SQS leaves them out.
 */
export function configToAttributes(
  naming: QueueNaming,
  info: QueueInfo,
  stats: QueueStats,
  names: readonly string[],
): Record<string, string> {
  const c = info.config;
  const all: Record<string, string | undefined> = {
    QueueArn: queueArn(naming, info.name),
    ApproximateNumberOfMessages: String(stats.ready),
    ApproximateNumberOfMessagesNotVisible: String(stats.leased),
    ApproximateNumberOfMessagesDelayed: String(stats.scheduled),
    CreatedTimestamp: String(Math.floor(info.createdAt / SECOND_MS)),
    LastModifiedTimestamp: String(Math.floor(info.updatedAt / SECOND_MS)),
    VisibilityTimeout: String(Math.floor(c.visibilityTimeoutMs / SECOND_MS)),
    MaximumMessageSize: String(c.maxMessageBytes),
    MessageRetentionPeriod: String(Math.floor(c.retentionMs / SECOND_MS)),
    DelaySeconds: String(Math.floor(c.delayMs / SECOND_MS)),
    ReceiveMessageWaitTimeSeconds: String(Math.floor(c.receiveWaitMs / SECOND_MS)),
    RedrivePolicy:
      c.deadLetterQueue !== null && c.maxDeliveries !== null
        ? JSON.stringify({ deadLetterTargetArn: queueArn(naming, c.deadLetterQueue), maxReceiveCount: c.maxDeliveries })
        : undefined,
    SqsManagedSseEnabled: c.attributes.SqsManagedSseEnabled ?? 'false',
    FifoQueue: c.fifo ? 'true' : undefined,
    ContentBasedDeduplication: c.fifo ? String(c.contentBasedDedup) : undefined,
    DeduplicationScope: c.fifo ? (c.attributes.DeduplicationScope ?? 'queue') : undefined,
    FifoThroughputLimit: c.fifo ? (c.attributes.FifoThroughputLimit ?? 'perQueue') : undefined,
  };
  for (const name of Object.keys(storedAttributes)) {
    if (all[name] === undefined && c.attributes[name] !== undefined) all[name] = c.attributes[name];
  }
  const wanted = names.includes('All') ? Object.keys(all) : names;
  const out: Record<string, string> = {};
  for (const name of wanted) {
    const value = all[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Checks requested attribute names: `All` or known names only. */
export function checkAttributeNames(names: readonly string[]): void {
  for (const name of names) {
    if (name !== 'All' && !knownAttributeNames.includes(name)) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
  }
}

function invalidAttributeValue(name: string, reason: string): SqsError {
  return new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}. Reason: ${reason}.`);
}

function isIntIn(value: string, min: number, max: number): boolean {
  if (!/^\d+$/.test(value)) return false;
  const n = Number(value);
  return n >= min && n <= max;
}

function isJsonObject(value: string): boolean {
  try {
    return isRecord(JSON.parse(value));
  } catch {
    return false;
  }
}
