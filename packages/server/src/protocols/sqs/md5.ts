/**
 * The MD5 digests SQS returns so clients can check what the server stored: of the message body
 * (its UTF-8 bytes) and of the message attributes, in the binary encoding Amazon SQS documents.
 */
import crypto from 'node:crypto';

/** One message attribute as SQS carries it: a data type and a string or binary value. */
export interface SqsMessageAttribute {
  /** `String`, `Number` or `Binary`, optionally followed by `.customLabel`. */
  DataType: string;
  StringValue?: string;
  /** Raw bytes (decoded from base64 by the codec). */
  BinaryValue?: Uint8Array;
}

/** Hex MD5 of a message body as SQS computes it: over the body's UTF-8 bytes. */
export function md5OfBody(body: string): string {
  return crypto.createHash('md5').update(body, 'utf8').digest('hex');
}

/**
 * Hex MD5 of message attributes, or undefined when there are none. The documented encoding: the
 * attributes sorted by name; for each, the name, the data type and the value, each as a 4-byte
 * big-endian length followed by its bytes, with a 1-byte transport type (1 = string, 2 = binary)
 * between the data type and the value.
 */
export function md5OfMessageAttributes(attributes: Record<string, SqsMessageAttribute>): string | undefined {
  const names = Object.keys(attributes).sort(compareCodeUnits);
  if (names.length === 0) return undefined;
  const hash = crypto.createHash('md5');
  for (const name of names) {
    const attr = attributes[name]!;
    hash.update(lengthPrefixed(Buffer.from(name, 'utf8')));
    hash.update(lengthPrefixed(Buffer.from(attr.DataType, 'utf8')));
    if (attr.BinaryValue !== undefined && isBinaryType(attr.DataType)) {
      hash.update(Buffer.from([2]));
      hash.update(lengthPrefixed(attr.BinaryValue));
    } else {
      hash.update(Buffer.from([1]));
      hash.update(lengthPrefixed(Buffer.from(attr.StringValue ?? '', 'utf8')));
    }
  }
  return hash.digest('hex');
}

/** True for `Binary` and `Binary.<custom>` data types. */
export function isBinaryType(dataType: string): boolean {
  return dataType === 'Binary' || dataType.startsWith('Binary.');
}

function lengthPrefixed(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + bytes.length);
  out.writeUInt32BE(bytes.length, 0);
  out.set(bytes, 4);
  return out;
}

/** Sorts the way the SDKs do (Java's String.compareTo): by UTF-16 code unit, not by locale. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
