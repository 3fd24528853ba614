/**
 * Printing: aligned tables for people, JSON for scripts, and writes that wait until the text
 * is handed to the OS (so a message is printed before it is acked).
 */

/** Writes to stdout and resolves once the chunk is flushed to the OS. */
export function writeOut(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

/** Prints a value as one line of JSON. */
export function printJson(value: unknown): Promise<void> {
  return writeOut(`${JSON.stringify(value)}\n`);
}

/** Prints rows under a header, columns padded; numbers are right-aligned. */
export function printTable(header: string[], rows: Array<Array<string | number>>): Promise<void> {
  const cells = [header, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const lines = cells.map((r) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
  return writeOut(`${lines.join('\n')}\n`);
}

/** Prints `key  value` pairs, keys aligned. */
export function printPairs(pairs: Array<[string, string | number]>): Promise<void> {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return writeOut(pairs.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n');
}

/** Formats an optional setting: `-` when unset. */
export function orDash(value: string | number | null | undefined): string {
  return value === null || value === undefined ? '-' : String(value);
}
