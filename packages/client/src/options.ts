/**
 * Option objects are checked for names the SDK does not know, so that a misspelt option
 * (`delay` for `delayMs`) fails loudly instead of being silently ignored, as the broker's HTTP
 * API does for unknown fields.
 */
import { ChuteError } from './errors.js';

/** The InvalidArgument error of an option, naming it as its field. */
export function invalidOption(field: string, message: string): ChuteError {
  return new ChuteError('InvalidArgument', message, { field });
}

/** A value as an error message shows it: numbers and null as they are, strings quoted, else the type. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' ? JSON.stringify(value) : typeof value;
}

/** Throws InvalidArgument naming `name` unless `value` is undefined or an integer of at least `min`. */
export function checkIntegerOption(name: string, value: unknown, min: number): void {
  if (value === undefined || (Number.isInteger(value) && (value as number) >= min)) return;
  throw invalidOption(name, `${name} must be an integer >= ${min}, got ${describeValue(value)}`);
}

/** Throws InvalidArgument naming `name` unless `value` is undefined or of type `type`. */
export function checkTypeOption(name: string, value: unknown, type: 'boolean' | 'string'): void {
  if (value !== undefined && typeof value !== type) throw invalidOption(name, `${name} must be a ${type}, got ${describeValue(value)}`);
}

/** Throws InvalidArgument naming the first key of `options` that is not in `known`. */
export function checkKnownOptions(what: string, options: object, known: ReadonlySet<string>): void {
  for (const key in options) {
    if (!known.has(key)) {
      throw invalidOption(key, `unknown ${what} option "${key}" (known: ${[...known].join(', ')})`);
    }
  }
}
