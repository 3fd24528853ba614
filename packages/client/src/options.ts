/**
 * Option objects are checked for names the SDK does not know, so that a misspelt option
 * (`delay` for `delayMs`) fails loudly instead of being silently ignored, as the broker's HTTP
 * API does for unknown fields.
 */
import { ChuteError } from './errors.js';

/** Throws InvalidArgument naming `name` unless `value` is undefined or an integer of at least `min`. */
export function checkIntegerOption(name: string, value: unknown, min: number): void {
  if (value === undefined || (Number.isInteger(value) && (value as number) >= min)) return;
  const got = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'number' ? String(value) : value === null ? 'null' : typeof value;
  throw new ChuteError('InvalidArgument', `${name} must be an integer >= ${min}, got ${got}`, { field: name });
}

/** Throws InvalidArgument naming `name` unless `value` is undefined or of type `type`. */
export function checkTypeOption(name: string, value: unknown, type: 'boolean' | 'string'): void {
  if (value !== undefined && typeof value !== type) throw new ChuteError('InvalidArgument', `${name} must be a ${type}, got ${value === null ? 'null' : typeof value}`, { field: name });
}

/** Throws InvalidArgument naming the first key of `options` that is not in `known`. */
export function checkKnownOptions(what: string, options: object, known: ReadonlySet<string>): void {
  for (const key in options) {
    if (!known.has(key)) {
      throw new ChuteError('InvalidArgument', `unknown ${what} option "${key}" (known: ${[...known].join(', ')})`, { field: key });
    }
  }
}
