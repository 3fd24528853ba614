/**
 * `chute receive QUEUE [--max N] [--wait 20s] [--follow] [--json] [--no-ack]`: prints one message
 * per line (the body, or the whole message as JSON), acking each batch after it is printed.
 */
import { backoffDelayMs, ChuteError, type Queue, type ReceiptOutcome, type ReceivedMessage } from '@chutemq/client';
import type { Command } from 'commander';
import { clientFor, globalOptions } from './context.js';
import { ExitCode } from './exit-codes.js';
import { durationOption, positiveOption } from './options.js';
import { writeOut } from './output.js';

interface ReceiveCliOptions {
  max?: number;
  wait?: number;
  follow?: boolean;
  ack: boolean;
  visibility?: number;
}

/** The broker's largest receive. */
const receiveMax = 1000;
/** Long-poll wait of `--follow` when `--wait` is not given: the broker's maximum. */
const followWaitMs = 20_000;
/** Messages per poll of `--follow` when `--max` is not given. */
const followBatch = 10;
/** Waits between polls of `--follow` while the broker cannot be reached. */
const followRetryBackoff = { initialMs: 500, maxMs: 5000, factor: 2, jitter: 0.2 };

/** Adds `receive` to the program. */
export function registerReceiveCommand(program: Command): void {
  program
    .command('receive')
    .description('receive messages and print one per line; acked after printing unless --no-ack')
    .argument('<queue>', 'queue name')
    .option('--max <n>', 'messages to receive (with --follow: per poll); default 1, with --follow 10', positiveOption)
    .option('--wait <duration>', "long-poll wait for a first message; default the queue's, with --follow 20s", durationOption)
    .option('--follow', 'keep receiving until interrupted (Ctrl-C)')
    .option('--visibility <duration>', 'lease length (with --no-ack: how long the messages stay hidden)', durationOption)
    .option('--no-ack', 'leave the messages leased; they are handed out again when the lease ends')
    .action(async (queueName: string, opts: ReceiveCliOptions, command: Command) => {
      const global = globalOptions(command);
      const queue = clientFor(global).queue(queueName);
      const print = (m: ReceivedMessage): string => (global.json ? JSON.stringify(m) : bodyLine(m));
      if (opts.follow === true) await follow(queue, opts, print);
      else await receiveSome(queue, opts, print);
    });
}

/** A message body as one printable line: text as is, other bytes as base64. */
function bodyLine(m: ReceivedMessage): string {
  const type = m.contentType ?? '';
  const text = m.text();
  const binary = type === 'application/octet-stream' || text.includes('\uFFFD');
  return binary ? m.body.toString('base64') : text;
}

/**
 * Receives up to `--max` messages (default 1) and returns. Only the first poll waits; later ones
 * take what is ready, so a command asking for 100 of 3 messages does not wait three times.
 */
async function receiveSome(queue: Queue, opts: ReceiveCliOptions, print: (m: ReceivedMessage) => string): Promise<void> {
  let remaining = opts.max ?? 1;
  let waitMs = opts.wait;
  while (remaining > 0) {
    const messages = await queue.receive({ max: Math.min(remaining, receiveMax), ...pollOptions(opts, waitMs) });
    if (messages.length === 0) break;
    waitMs = 0;
    await printAndSettle(queue, messages, opts, print);
    remaining -= messages.length;
  }
}

/** Long-polls until SIGINT or SIGTERM; a batch being printed is finished (and acked) first. */
async function follow(queue: Queue, opts: ReceiveCliOptions, print: (m: ReceivedMessage) => string): Promise<void> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    let failures = 0;
    while (!stop.signal.aborted) {
      let messages: ReceivedMessage[];
      try {
        messages = await queue.receive({ max: opts.max ?? followBatch, signal: stop.signal, ...pollOptions(opts, opts.wait ?? followWaitMs) });
        failures = 0;
      } catch (e) {
        // A tail outlives broker restarts, as a consume() loop does: wait and poll again.
        if (stop.signal.aborted || !(e instanceof ChuteError) || !e.retryable) throw e;
        failures++;
        const delayMs = backoffDelayMs(failures, followRetryBackoff);
        process.stderr.write(`chute: ${e.code}: ${e.message}; polling again in ${(delayMs / 1000).toFixed(1)}s\n`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delayMs);
          stop.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
        continue;
      }
      if (messages.length > 0) await printAndSettle(queue, messages, opts, print, true);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function pollOptions(opts: ReceiveCliOptions, waitMs: number | undefined): { waitMs?: number; visibilityTimeoutMs?: number } {
  const out: { waitMs?: number; visibilityTimeoutMs?: number } = {};
  if (waitMs !== undefined) out.waitMs = waitMs;
  if (opts.visibility !== undefined) out.visibilityTimeoutMs = opts.visibility;
  return out;
}

/**
 * Prints a batch, then acks it (unless --no-ack); a receipt the broker refuses is reported. With
 * `outlivesBroker` (a tail), an ack lost because the broker went away is reported and the tail
 * goes on: those messages come back when their lease ends and are printed again.
 */
async function printAndSettle(
  queue: Queue,
  messages: ReceivedMessage[],
  opts: ReceiveCliOptions,
  print: (m: ReceivedMessage) => string,
  outlivesBroker = false,
): Promise<void> {
  await writeOut(messages.map((m) => `${print(m)}\n`).join(''));
  if (!opts.ack) return;
  let outcomes: ReceiptOutcome[];
  try {
    outcomes = await queue.ack(messages);
  } catch (e) {
    if (!outlivesBroker || !(e instanceof ChuteError) || !e.retryable) throw e;
    process.stderr.write(`chute: ack failed: ${e.code}: ${e.message}; the ${messages.length} message${messages.length === 1 ? '' : 's'} will be delivered again\n`);
    return;
  }
  for (const o of outcomes) {
    if (o.ok) continue;
    process.stderr.write(`chute: ack failed: ${o.error.code}: ${o.error.message}\n`);
    process.exitCode = ExitCode.brokerError;
  }
}
