/**
 * Turns any failure of a command into a clear message on stderr and an exit code.
 */
import { ChuteError, ConnectionError } from '@chutemq/client';
import { ExitCode, UsageError } from './exit-codes.js';

/** `Code: message (field: f, limit: n)`, the one-line form of a broker or SDK error. */
export function describeChuteError(error: ChuteError): string {
  const details = [error.field === undefined ? '' : `field: ${error.field}`, error.limit === undefined ? '' : `limit: ${error.limit}`]
    .filter((d) => d !== '')
    .join(', ');
  return `${error.code}: ${error.message}${details === '' ? '' : ` (${details})`}`;
}

/**
 * Prints the error (the broker's code, message, field and limit when it sent them; JSON on one
 * line with `--json`) and returns the exit code to use.
 */
export function reportError(error: unknown, json: boolean): number {
  if (error instanceof UsageError) {
    process.stderr.write(json ? `${JSON.stringify({ error: { code: 'Usage', message: error.message } })}\n` : `chute: ${error.message}\n`);
    return ExitCode.usage;
  }
  if (error instanceof ChuteError) {
    const unreachable = error instanceof ConnectionError || error.code === 'Timeout';
    process.stderr.write(json ? `${JSON.stringify({ error: error.toJSON() })}\n` : `chute: ${describeChuteError(error)}\n`);
    return unreachable ? ExitCode.unreachable : ExitCode.brokerError;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(json ? `${JSON.stringify({ error: { code: 'Internal', message } })}\n` : `chute: ${message}\n`);
  return ExitCode.brokerError;
}
