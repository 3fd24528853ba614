/**
 * `chute serve`: starts the broker on one HTTP port. Settings come from flags, `CHUTE_*`
 * environment variables, the config file and defaults, in that order of precedence; see
 * docs/configuration.md. A configuration mistake exits with status 2 before anything starts.
 */
import { type Command, Option } from 'commander';
import { createLogger } from '../server/logger.js';
import { ConfigError, logLevels, resolveConfig, type ServeFlags } from '../server/config.js';
import { type RunningChute, runServer } from '../server/run.js';

/** Exit status of a configuration mistake (the same as any other command-line mistake). */
const configErrorExitCode = 2;

/** Adds the `serve` command to the program. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start the broker (HTTP API, SQS API, console and metrics on one port)')
    .option('--port <port>', 'port to listen on; 0 = any free port (env CHUTE_PORT, default 7070)')
    .option('--host <host>', 'address to bind (env CHUTE_HOST, default 127.0.0.1)')
    .option('--data-dir <dir>', 'where messages are stored (env CHUTE_DATA_DIR, default ./chute-data)')
    .option('--config <file>', 'JSON config file with tokens and limits (env CHUTE_CONFIG)')
    .option('--insecure', 'allow a non-loopback --host without access tokens (env CHUTE_INSECURE)')
    .addOption(new Option('--log-level <level>', 'log level (env CHUTE_LOG_LEVEL, default info)').choices(logLevels))
    .option('--log-requests', 'log one line per HTTP request (env CHUTE_LOG_REQUESTS)')
    .action(async (flags: ServeFlags) => {
      await serve(flags);
    });
}

async function serve(flags: ServeFlags): Promise<void> {
  let config;
  try {
    config = resolveConfig({ flags, env: process.env });
  } catch (e) {
    exitOnConfigError(e);
    throw e;
  }
  const logger = createLogger(config.logLevel);
  // Handlers go in before anything is printed: a signal that arrives while no listener exists
  // kills the process at once, and a test (or a supervisor) may signal as soon as it reads a line.
  let server: RunningChute | undefined;
  let stopSignal: NodeJS.Signals | undefined;
  const stop = (running: RunningChute, signal: NodeJS.Signals): void => {
    running.close(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err, event: 'stop.failed' }, 'chute did not stop cleanly');
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopSignal !== undefined) {
      // A second Ctrl-C means "now": leave without waiting; unconfirmed work is the client's to retry.
      logger.warn({ event: 'stop.forced', signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopSignal = signal;
    // Still starting: the start sequence stops the server as soon as it is up.
    if (server !== undefined) stop(server, signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    server = await runServer(config, logger);
  } catch (e) {
    exitOnConfigError(e);
    logger.fatal({ err: e, event: 'start.failed' }, 'chute could not start');
    process.stderr.write(`chute serve: ${(e as Error).message}\n`);
    process.exit(1);
  }
  process.stdout.write(`chute listening on ${server.url}\nchute data in ${server.dataDir}\n`);
  if (stopSignal !== undefined) stop(server, stopSignal);
}

function exitOnConfigError(e: unknown): void {
  if (e instanceof ConfigError) {
    process.stderr.write(`chute serve: ${e.message}\n`);
    process.exit(configErrorExitCode);
  }
}
