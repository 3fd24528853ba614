/**
 * Turns any failure of a command into a clear message on stderr and an exit code.
 */
import { ChuteError, ConnectionError } from '@chutemq/client';
import { ExitCode, UsageError } from './exit-codes.js';

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
    if (json) process.stderr.write(`${JSON.stringify({ error: error.toJSON() })}\n`);
    else {
      const details = [error.field === undefined ? '' : `field: ${error.field}`, error.limit === undefined ? '' : `limit: ${error.limit}`]
        .filter((d) => d !== '')
        .join(', ');
      process.stderr.write(`chute: ${error.code}: ${error.message}${details === '' ? '' : ` (${details})`}\n`);
    }
    return unreachable ? ExitCode.unreachable : ExitCode.brokerError;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(json ? `${JSON.stringify({ error: { code: 'Internal', message } })}\n` : `chute: ${message}\n`);
  return ExitCode.brokerError;
}
