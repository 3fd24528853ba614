/**
 * Reading message bodies from standard input.
 */
import { isUtf8 } from 'node:buffer';
import { createInterface } from 'node:readline';

/** Reads all of stdin. Text when it is valid UTF-8 (sent as text), otherwise the raw bytes. */
export async function readStdinBody(): Promise<string | Buffer> {
  if (process.stdin.isTTY === true) process.stderr.write('reading the message from stdin; end it with Ctrl-D\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  return isUtf8(bytes) ? bytes.toString('utf8') : bytes;
}

/** Yields the lines of stdin (without line endings), skipping empty lines. */
export async function* stdinLines(): AsyncGenerator<string> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) if (line !== '') yield line;
}
