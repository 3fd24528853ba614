/**
 * Batches whose entries are decoded one by one before they reach the broker: an entry that cannot
 * be decoded (bad base64, bad header bytes) fails alone, in its place, like an entry the broker
 * refuses, and the others go to the broker together.
 */
import { ChuteError } from '../../core/errors.js';

/**
 * Decodes every entry (`decode` gets the entry's error path, `messages[i]`), hands the ones that
 * decoded to `run` with their places in the request, and returns one outcome per entry in request
 * order, `failed(error, entry)` for those that did not decode.
 */
export async function settleDecoded<E, I, R>(
  entries: E[],
  decode: (entry: E, field: string, index: number) => I,
  run: (inputs: I[], places: number[]) => Promise<R[]>,
  failed: (error: ChuteError, entry: E) => R,
): Promise<R[]> {
  const decoded = entries.map((entry, i): I | ChuteError => {
    try {
      return decode(entry, `messages[${i}]`, i);
    } catch (e) {
      if (e instanceof ChuteError) return e;
      throw e;
    }
  });
  const places = decoded.flatMap((d, i) => (d instanceof ChuteError ? [] : [i]));
  // An empty request still goes to the broker, which answers EmptyBatch; one with only bad entries does not.
  const ran = places.length === 0 && entries.length > 0 ? [] : await run(places.map((i) => decoded[i] as I), places);
  let next = 0;
  return decoded.map((d, i) => (d instanceof ChuteError ? failed(d, entries[i] as E) : (ran[next++] as R)));
}
