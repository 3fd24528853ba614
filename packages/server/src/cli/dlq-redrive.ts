/**
 * `chute dlq redrive QUEUE [--to Q] [--max N]`: moves dead letters back, in chunks so that a
 * long redrive shows progress on a terminal.
 */
import type { Command } from 'commander';
import { clientFor, globalOptions } from './context.js';
import { positiveOption } from './options.js';
import { printJson, writeOut } from './output.js';
import { Progress } from './progress.js';

/** Messages moved per request. */
const redriveChunk = 1000;

/** Adds `redrive` to the `dlq` command. */
export function registerDlqRedriveCommand(dlq: Command): void {
  dlq
    .command('redrive')
    .description("move messages of dead-letter queue QUEUE back to their source queue (or --to)")
    .argument('<queue>', 'dead-letter queue name')
    .option('--to <queue>', 'move them to this queue instead of their source')
    .option('--max <n>', 'move at most this many', positiveOption)
    .action(async (name: string, opts: { to?: string; max?: number }, command: Command) => {
      const global = globalOptions(command);
      const queue = clientFor(global).queue(name);
      const progress = new Progress('moved');
      let moved = 0;
      try {
        for (;;) {
          const want = Math.min(redriveChunk, (opts.max ?? Infinity) - moved);
          if (want <= 0) break;
          const n = await queue.redrive({ max: want, ...(opts.to === undefined ? {} : { to: opts.to }) });
          moved += n;
          progress.update(moved);
          if (n < want) break;
        }
      } finally {
        progress.done();
      }
      await (global.json ? printJson({ moved }) : writeOut(`moved ${moved} message${moved === 1 ? '' : 's'} out of ${name}\n`));
    });
}
