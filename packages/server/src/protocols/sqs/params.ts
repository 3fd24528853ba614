/**
 * Typed readers of an action's input. Both codecs hand actions the same JSON-shaped object; the
 * Query codec's values are all strings, so numbers and booleans are accepted in either form here.
 * Each reader throws the SQS error a client would get from Amazon SQS for a bad value.
 */
import { SqsError, invalidParameter, missingParameter } from './errors.js';

/** An action's input: the JSON 1.0 request body, or the Query form converted to the same shape. */
export type SqsInput = Record<string, unknown>;

/** Returns true for a plain object (not an array, not null). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** An optional string parameter. */
export function optString(input: SqsInput, name: string): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidParameter(name, JSON.stringify(v), 'must be a string.');
  return v;
}

/** A required string parameter (an empty string counts as missing). */
export function reqString(input: SqsInput, name: string): string {
  const v = optString(input, name);
  if (v === undefined || v === '') throw missingParameter(name);
  return v;
}

/** An optional integer parameter within [min, max]. */
export function optInt(input: SqsInput, name: string, min: number, max: number): number | undefined {
  const v = input[name];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^[+-]?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw invalidParameter(name, v, 'must be an integer.');
  if (n < min || n > max) throw invalidParameter(name, v, `Must be between ${min} and ${max}, if provided.`);
  return n;
}

/** An optional boolean parameter (`true`/`false` in either case, as the Query protocol sends them). */
export function optBool(input: SqsInput, name: string): boolean | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw invalidParameter(name, v, 'must be true or false.');
}

/** An optional map of string to string (queue attributes, tags). */
export function optStringMap(input: SqsInput, name: string): Record<string, string> | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) throw invalidParameter(name, JSON.stringify(v), 'must be a map of strings.');
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(v)) {
    if (typeof value !== 'string') throw invalidParameter(`${name}.${k}`, JSON.stringify(value), 'must be a string.');
    out[k] = value;
  }
  return out;
}

/** An optional list of strings (attribute names, tag keys). */
export function optStringList(input: SqsInput, name: string): string[] | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalidParameter(name, JSON.stringify(v), 'must be a list of strings.');
  return v as string[];
}

/** An optional list of structures (batch entries). */
export function optRecordList(input: SqsInput, name: string): SqsInput[] | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every(isRecord)) throw invalidParameter(name, '(list)', 'must be a list of structures.');
  return v;
}

/** An optional structure or map of structures (message attributes). */
export function optRecord(input: SqsInput, name: string): Record<string, unknown> | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) throw invalidParameter(name, '(value)', 'must be a structure.');
  return v;
}

/** Throws InvalidParameterValue naming a parameter SQS does not accept on this queue type. */
export function notForQueueType(name: string, value: unknown): SqsError {
  return invalidParameter(name, value, 'The request include parameter that is not valid for this queue type.');
}
