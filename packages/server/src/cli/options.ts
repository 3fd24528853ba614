/**
 * Parsers for option values, shared by the commands. Each throws commander's
 * InvalidArgumentError so a bad value reads like any other usage error and exits with code 2.
 */
import { checkBrokerUrl, parseDuration } from '@chutemq/client';
import { InvalidArgumentError } from 'commander';

/** Parses `500ms`, `30s`, `5m`, `1h` into milliseconds. */
export function durationOption(value: string): number {
  try {
    return parseDuration(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

/** Checks a broker URL (http:// or https://) as the client does. */
export function urlOption(value: string): string {
  try {
    return checkBrokerUrl(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

/** Parses a whole number >= 0. */
export function countOption(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`"${value}" is not a whole number >= 0`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`"${value}" is too large`);
  return n;
}

/** Parses a whole number >= 1. */
export function positiveOption(value: string): number {
  const n = countOption(value);
  if (n < 1) throw new InvalidArgumentError(`"${value}" must be at least 1`);
  return n;
}

/** Collects repeated `--header k=v` options into one record (later values win). */
export function headerOption(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`"${value}" is not of the form name=value`);
  return { ...(previous ?? {}), [value.slice(0, eq)]: value.slice(eq + 1) };
}
