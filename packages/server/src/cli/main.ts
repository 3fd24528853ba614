#!/usr/bin/env -S node --initial-old-space-size=256
/**
 * Entry point of the `chute` command. Parses the command line, runs the command and maps every
 * failure to a message and an exit code (see exit-codes.ts).
 *
 * The first line gives node its flags, and everything that starts the broker (`npm start`, the
 * `./chute` script of a checkout, the benchmark) reads them from there. The one flag lets the
 * heap's old generation reach 256 MiB before V8 collects it in full: with a broker's small,
 * fast-changing heap, V8 otherwise runs a full collection every few hundred milliseconds under
 * load, and each is a pause of several milliseconds in the delivery of every message in flight.
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
