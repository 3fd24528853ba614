#!/usr/bin/env node
/**
 * Entry point of the `chute` command. Parses the command line, runs the command and maps every
 * failure to a message and an exit code (see exit-codes.ts).
 */
import { CommanderError } from 'commander';
import { ExitCode } from './exit-codes.js';
import { buildProgram } from './program.js';
import { reportError } from './report-error.js';

// `chute receive ... | head -1`: the reader went away. The unprinted messages were not acked, so
// nothing is lost; leave quietly like other Unix tools.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(ExitCode.ok);
  throw e;
});

const program = await buildProgram(process.argv.slice(2));
try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // Commander has already printed its message (or the help / version text).
    process.exitCode = e.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  } else {
    process.exitCode = reportError(e, program.opts<{ json?: boolean }>().json === true);
  }
}
