/**
 * `chute serve`: placeholder with the agreed signature until the server's own command lands here.
 */
import type { Command } from 'commander';

/** Adds the `serve` command to the program. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start the broker')
    .allowUnknownOption()
    .action(() => {
      throw new Error('chute serve is not available in this build');
    });
}
