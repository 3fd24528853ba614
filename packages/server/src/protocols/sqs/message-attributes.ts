/**
 * SQS message attributes and broker message headers. An attribute becomes a header the native API
 * understands (String → text, Number → number when it survives the round trip exactly, else text,
 * Binary → bytes); the exact SQS data type is kept in one reserved header only where the header's
 * value alone would not restore it (custom type suffixes, numbers kept as text), so that
 * ReceiveMessage returns, and MD5OfMessageAttributes covers, exactly what was sent.
 */
import type { HeaderValue, Headers } from '../../core/types.js';
import { SqsError, invalidParameter, missingParameter } from './errors.js';
import { SqsLimits } from './limits.js';
import { isBinaryType, type SqsMessageAttribute } from './md5.js';
import { isRecord } from './params.js';
import { dataTypesHeader, isReservedHeader } from './reserved-headers.js';


const attributeNamePattern = /^[A-Za-z0-9_\-.]+$/;
const dataTypePattern = /^(String|Number|Binary)(\.[A-Za-z0-9_\-.]+)?$/;
const numberPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Characters Amazon SQS accepts in bodies and string values (XML 1.0's character range). */
const invalidCharPattern = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Returns the first character SQS does not accept in `text`, or undefined. */
export function firstInvalidChar(text: string): string | undefined {
  return invalidCharPattern.exec(text)?.[0];
}

/** Throws InvalidMessageContents when a message body holds characters SQS refuses. */
export function checkBodyCharacters(body: string): void {
  const bad = firstInvalidChar(body);
  if (bad !== undefined) {
    const code = `#x${(bad.codePointAt(0) ?? 0).toString(16).toUpperCase()}`;
    throw new SqsError(
      'InvalidMessageContents',
      `Invalid binary character '${code}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
    );
  }
}

/**
 * Checks the MessageAttributes of a send and decodes binary values. `raw` is the JSON-shaped map
 * name → { DataType, StringValue | BinaryValue (base64) }.
 */
export function parseMessageAttributes(raw: Record<string, unknown> | undefined): Record<string, SqsMessageAttribute> {
  const out: Record<string, SqsMessageAttribute> = {};
  if (raw === undefined) return out;
  const names = Object.keys(raw);
  if (names.length > SqsLimits.messageAttributesMax) {
    throw invalidParameter('MessageAttributes', names.length, `Number of message attributes [${names.length}] exceeds the allowed maximum [${SqsLimits.messageAttributesMax}].`);
  }
  for (const name of names) out[name] = parseOne(name, raw[name]);
  return out;
}

function parseOne(name: string, value: unknown): SqsMessageAttribute {
  checkAttributeName(name);
  if (!isRecord(value)) throw missingParameter(`MessageAttribute.${name}.Value`);
  const dataType = value.DataType;
  if (typeof dataType !== 'string' || dataType === '') {
    throw new SqsError('InvalidParameterValue', `The message attribute '${name}' must contain non-empty message attribute type.`);
  }
  if (!dataTypePattern.test(dataType) || dataType.length > SqsLimits.dataTypeMaxChars) {
    throw new SqsError('InvalidParameterValue', `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
  }
  if (value.StringListValues !== undefined || value.BinaryListValues !== undefined) {
    throw new SqsError('InvalidParameterValue', `Message attribute list values in SendMessage operation are not supported.`);
  }
  if (isBinaryType(dataType)) {
    const bytes = decodeBinary(value.BinaryValue);
    if (bytes === undefined) {
      throw new SqsError('InvalidParameterValue', `The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
    }
    return { DataType: dataType, BinaryValue: bytes };
  }
  const text = value.StringValue;
  if (typeof text !== 'string' || text === '') {
    throw new SqsError('InvalidParameterValue', `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`);
  }
  if (firstInvalidChar(text) !== undefined) {
    throw new SqsError('InvalidParameterValue', `The message attribute '${name}' contains characters outside the allowed set.`);
  }
  if (dataType.startsWith('Number') && !numberPattern.test(text.trim())) {
    throw new SqsError('InvalidParameterValue', `Can't cast the value of message (user) attribute '${name}' to a number.`);
  }
  return { DataType: dataType, StringValue: text };
}

function checkAttributeName(name: string): void {
  const lower = name.toLowerCase();
  if (
    name.length === 0 ||
    name.length > SqsLimits.attributeNameMaxChars ||
    !attributeNamePattern.test(name) ||
    name.startsWith('.') ||
    name.endsWith('.') ||
    name.includes('..') ||
    lower.startsWith('aws.') ||
    lower.startsWith('amazon.') ||
    isReservedHeader(name)
  ) {
    throw new SqsError('InvalidParameterValue', `Message (user) attribute name '${name}' is invalid. Names may hold alphanumeric characters, hyphen, underscore and period, at most ${SqsLimits.attributeNameMaxChars}, and must not start with AWS. or Amazon.`);
  }
}

function decodeBinary(v: unknown): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) return undefined;
  return Buffer.from(v, 'base64');
}

/** Bytes the attributes count toward the message size: names, data types and values, as SQS counts them. */
export function attributesSize(attributes: Record<string, SqsMessageAttribute>): number {
  let size = 0;
  for (const [name, a] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(a.DataType, 'utf8');
    size += a.BinaryValue !== undefined ? a.BinaryValue.length : Buffer.byteLength(a.StringValue ?? '', 'utf8');
  }
  return size;
}

/** Turns checked attributes into broker headers, adding the reserved data-type header when needed. */
export function attributesToHeaders(attributes: Record<string, SqsMessageAttribute>): Headers {
  const headers: Headers = {};
  const types: Record<string, string> = {};
  for (const [name, a] of Object.entries(attributes)) {
    if (a.BinaryValue !== undefined) {
      headers[name] = a.BinaryValue;
      if (a.DataType !== 'Binary') types[name] = a.DataType;
      continue;
    }
    const text = a.StringValue ?? '';
    if (a.DataType === 'Number' && roundTripsAsNumber(text)) {
      headers[name] = Number(text);
      continue;
    }
    headers[name] = text;
    if (a.DataType !== 'String') types[name] = a.DataType;
  }
  if (Object.keys(types).length > 0) headers[dataTypesHeader] = JSON.stringify(types);
  return headers;
}

/** True when `text` is a number whose JavaScript form prints back as exactly `text`. */
function roundTripsAsNumber(text: string): boolean {
  const n = Number(text);
  return Number.isFinite(n) && String(n) === text;
}

/**
 * Reads a message's headers back as SQS attributes: the reserved header restores exact data types;
 * other headers get the type their value implies (text → String, number → Number, bytes → Binary).
 */
export function headersToAttributes(headers: Headers): Record<string, SqsMessageAttribute> {
  const types = readDataTypes(headers[dataTypesHeader]);
  const out: Record<string, SqsMessageAttribute> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (isReservedHeader(name)) continue;
    out[name] = headerToAttribute(value, types[name]);
  }
  return out;
}

function headerToAttribute(value: HeaderValue, recordedType: string | undefined): SqsMessageAttribute {
  if (value instanceof Uint8Array) {
    const dataType = recordedType !== undefined && isBinaryType(recordedType) ? recordedType : 'Binary';
    return { DataType: dataType, BinaryValue: value };
  }
  if (typeof value === 'number') {
    const dataType = recordedType !== undefined && recordedType.startsWith('Number') ? recordedType : 'Number';
    return { DataType: dataType, StringValue: String(value) };
  }
  const dataType = recordedType !== undefined && !isBinaryType(recordedType) ? recordedType : 'String';
  return { DataType: dataType, StringValue: value };
}

function readDataTypes(value: HeaderValue | undefined): Record<string, string> {
  if (typeof value !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(value);
    if (!isRecord(parsed)) return {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string' && dataTypePattern.test(v)) out[k] = v;
    return out;
  } catch {
    // A native client may have set a header of this name for its own use; it then carries no types.
    return {};
  }
}

/**
 * Keeps the attributes a ReceiveMessage asked for: `All` or `.*` for every one, exact names, and
 * prefixes written `name.*`.
 */
export function selectAttributes(
  attributes: Record<string, SqsMessageAttribute>,
  requested: readonly string[],
): Record<string, SqsMessageAttribute> {
  if (requested.includes('All') || requested.includes('.*')) return attributes;
  const out: Record<string, SqsMessageAttribute> = {};
  for (const [name, a] of Object.entries(attributes)) {
    const wanted = requested.some((r) => (r.endsWith('.*') ? name.startsWith(r.slice(0, -1)) : r === name));
    if (wanted) out[name] = a;
  }
  return out;
}
