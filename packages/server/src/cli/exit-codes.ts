/**
 * Exit codes of the `chute` command, documented in docs/cli.md so scripts can rely on them.
 */
export const ExitCode = {
  /** Done as asked. */
  ok: 0,
  /** The broker refused the request (its error code, message and field are printed). */
  brokerError: 1,
  /** The command line itself was wrong: unknown option, bad duration, missing argument. */
  usage: 2,
  /** The broker could not be reached (or did not answer in time). */
  unreachable: 3,
} as const;

/** A command-line mistake found by a command after commander parsed it. */
export class UsageError extends Error {
  /** Creates a usage error; the message is printed as is. */
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
