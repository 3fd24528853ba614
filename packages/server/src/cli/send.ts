/**
 * `chute send QUEUE [BODY] [--lines] [--delay 5s] [--priority N] [--group G] [--dedup D]
 * [--header k=v]...`: one message from BODY or stdin, or one message per stdin line.
 */
import type { ChuteError, Queue, SendOptions } from '@chutemq/client';
import type { Command } from 'commander';
import { clientFor, globalOptions } from './context.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { countOption, durationOption, headerOption } from './options.js';
import { printJson, writeOut } from './output.js';
import { Progress } from './progress.js';
import { describeChuteError } from './report-error.js';
import { readStdinBody, stdinLines } from './stdin.js';

interface SendCliOptions {
  lines?: boolean;
  delay?: number;
  priority?: number;
  group?: string;
  dedup?: string;
  header?: Record<string, string>;
}

/** Lines per request of `--lines`. */
const linesPerBatch = 500;

/** Adds `send` to the program. */
export function registerSendCommand(program: Command): void {
  program
    .command('send')
    .description('send a message (BODY, or stdin when omitted; --lines: one message per line of stdin)')
    .argument('<queue>', 'queue name')
    .argument('[body]', 'message body; read from stdin when omitted')
    .option('--lines', 'send one message per line of stdin, in batches')
    .option('--delay <duration>', 'deliver after this delay, e.g. 5s', durationOption)
    .option('--priority <n>', 'priority 0 (default) to 9', countOption)
    .option('--group <id>', 'message group (FIFO queues keep order per group)')
    .option('--dedup <id>', 'deduplication id')
    .option('--header <name=value>', 'a message header; repeat for more', headerOption)
    .action(async (queueName: string, body: string | undefined, opts: SendCliOptions, command: Command) => {
      const global = globalOptions(command);
      const queue = clientFor(global).queue(queueName);
      const sendOptions = toSendOptions(opts);
      if (opts.lines === true) {
        if (body !== undefined) throw new UsageError('--lines reads the messages from stdin; give no BODY');
        if (opts.dedup !== undefined) throw new UsageError('--dedup cannot be used with --lines: every line would carry the same dedup id');
        const { sent, duplicates, failed } = await sendLines(queue, sendOptions, global.json);
        await (global.json
          ? printJson({ sent, duplicates, failed })
          : writeOut(`sent ${sent} message${sent === 1 ? '' : 's'} to ${queueName}${failed > 0 ? `, ${failed} failed` : ''}\n`));
        if (failed > 0) process.exitCode = ExitCode.brokerError;
        return;
      }
      const receipt = await queue.send(body ?? (await readStdinBody()), sendOptions);
      await (global.json ? printJson(receipt) : writeOut(`${receipt.id}${receipt.duplicate ? ' (duplicate: nothing stored)' : ''}\n`));
    });
}

function toSendOptions(opts: SendCliOptions): SendOptions {
  const out: SendOptions = {};
  if (opts.delay !== undefined) out.delayMs = opts.delay;
  if (opts.priority !== undefined) out.priority = opts.priority;
  if (opts.group !== undefined) out.groupId = opts.group;
  if (opts.dedup !== undefined) out.dedupId = opts.dedup;
  if (opts.header !== undefined) out.headers = opts.header;
  return out;
}

/**
 * Streams stdin lines to the queue in batches. The next batch is read while the previous one is
 * in flight, but only one request runs at a time so lines keep their order (FIFO groups).
 */
async function sendLines(queue: Queue, options: SendOptions, json: boolean): Promise<{ sent: number; duplicates: number; failed: number }> {
  const counts = { sent: 0, duplicates: 0, failed: 0 };
  const progress = new Progress('sent');
  let firstError: ChuteError | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const flush = (lines: string[]): Promise<void> =>
    queue.sendBatch(lines.map((body) => ({ ...options, body }))).then((outcomes) => {
      for (const o of outcomes) {
        if (o.ok) {
          counts.sent++;
          if (o.duplicate) counts.duplicates++;
        } else {
          counts.failed++;
          firstError ??= o.error;
        }
      }
      progress.update(counts.sent);
    });
  let batch: string[] = [];
  try {
    for await (const line of stdinLines()) {
      batch.push(line);
      if (batch.length < linesPerBatch) continue;
      await inFlight;
      inFlight = flush(batch);
      // Marked handled now; the rejection is still thrown by the next await of inFlight.
      inFlight.catch(() => undefined);
      batch = [];
    }
    await inFlight;
    if (batch.length > 0) await flush(batch);
  } catch (e) {
    progress.done();
    if (counts.sent > 0) process.stderr.write(`chute: ${counts.sent} messages were sent before the error\n`);
    throw e;
  }
  progress.done();
  if (firstError !== undefined) {
    const failed = `${counts.failed} message${counts.failed === 1 ? '' : 's'} failed`;
    process.stderr.write(
      json ? `${JSON.stringify({ error: firstError.toJSON(), failed: counts.failed })}\n` : `chute: ${failed}; first error: ${describeChuteError(firstError)}\n`,
    );
  }
  return counts;
}
