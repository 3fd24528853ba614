/**
 * Number formatting for the tables: rates with thousands separators, milliseconds with enough
 * digits to stay meaningful below one millisecond.
 */

/** Formats a figure; null (not measured) prints as an en dash. */
export function formatValue(value: number | null | undefined, digits: number): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  // Sub-millisecond latencies would print as 0.00 with two digits; give them one more.
  const d = digits > 0 && Math.abs(value) < 0.1 && value !== 0 ? digits + 1 : digits;
  return value.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** Formats a ratio as `×1.23`, or an en dash. */
export function formatRatio(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return '–';
  return `×${ratio.toFixed(ratio >= 10 ? 1 : 2)}`;
}

/** Escapes text for a markdown table cell. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
