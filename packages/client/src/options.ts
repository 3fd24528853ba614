/**
 * Option objects are checked for names the SDK does not know, so that a misspelt option
 * (`delay` for `delayMs`) fails loudly instead of being silently ignored, as the broker's HTTP
 * API does for unknown fields.
 */
import { ChuteError } from './errors.js';

/** Throws InvalidArgument naming the first key of `options` that is not in `known`. */
export function checkKnownOptions(what: string, options: object, known: ReadonlySet<string>): void {
  for (const key in options) {
    if (!known.has(key)) {
      throw new ChuteError('InvalidArgument', `unknown ${what} option "${key}" (known: ${[...known].join(', ')})`, { field: key });
    }
  }
}
