// Standard streams and the terminal, for the CLI layer only.

import { closeSync, openSync, writeSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { AmuletError } from '../vault/errors';

/** Reads a stream to its end. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  const data = Buffer.concat(chunks);
  for (const chunk of chunks) {
    chunk.fill(0);
  }
  return data;
}

/**
 * Reads up to the first line ending (LF, or CRLF) or the end of the stream, then stops reading.
 * Returns the line without its ending.
 */
export async function readFirstLine(stream: NodeJS.ReadableStream & { destroy?: () => void }): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let line: Buffer | undefined;
  for await (const chunk of stream) {
    const buffer: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const newline = buffer.indexOf(0x0a);
    if (newline >= 0) {
      chunks.push(buffer.subarray(0, newline));
      line = Buffer.concat(chunks);
      buffer.fill(0);
      break;
    }
    chunks.push(buffer);
  }
  line ??= Buffer.concat(chunks);
  for (const chunk of chunks) {
    chunk.fill(0);
  }
  stream.destroy?.();
  if (line.length > 0 && line[line.length - 1] === 0x0d) {
    line = line.subarray(0, line.length - 1);
  }
  return line;
}

// Output helpers live in output.ts, which loads no terminal code; they are re-exported here.
export { printInfo, printWarning, writeStdout } from './output';

function noTerminalError(): AmuletError {
  return new AmuletError('ENOTTY', 'no terminal to read the passphrase from', {
    hint: 'pass it with --passphrase-file PATH or --passphrase-fd N',
  });
}

function openTerminal(): number {
  try {
    return openSync(process.platform === 'win32' ? 'CONIN$' : '/dev/tty', 'r+');
  } catch {
    throw noTerminalError();
  }
}

/** Returns whether a controlling terminal can be opened. */
export function hasTerminal(): boolean {
  try {
    closeSync(openTerminal());
    return true;
  } catch {
    return false;
  }
}

/**
 * Shows `prompt` on the controlling terminal and reads one line with echo off. Ctrl-C and Ctrl-D
 * on an empty line cancel. Returns the bytes typed, as UTF-8.
 */
export async function promptHidden(prompt: string): Promise<Buffer> {
  const fd = openTerminal();
  const input = new ReadStream(fd);
  // Echo goes off before the prompt appears, so that input typed ahead is not shown either.
  input.setRawMode(true);
  writeSync(fd, prompt);

  const typed: number[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        for (const byte of chunk) {
          if (byte === 0x0d || byte === 0x0a) {
            input.off('data', onData);
            resolve();
            return;
          }
          if (byte === 0x03 || (byte === 0x04 && typed.length === 0)) {
            input.off('data', onData);
            const label = prompt.replace(/\s*(\(.*\))?:\s*$/, '').toLowerCase();
            reject(new AmuletError('ECANCELED', `canceled at the "${label}" prompt`, { exitCode: 1 }));
            return;
          }
          if (byte === 0x7f || byte === 0x08) {
            // Drop one whole UTF-8 character: continuation bytes are 0b10xxxxxx.
            let removed = typed.pop();
            while (removed !== undefined && (removed & 0xc0) === 0x80) {
              removed = typed.pop();
            }
            continue;
          }
          typed.push(byte);
        }
      };
      input.on('data', onData);
    });
  } finally {
    input.setRawMode(false);
    writeSync(fd, '\n');
    input.destroy();
  }
  const passphrase = Buffer.from(typed);
  typed.fill(0);
  return passphrase;
}

/** Asks a yes/no question on the terminal; anything but "y" or "yes" is no. */
export async function confirmOnTerminal(question: string): Promise<boolean> {
  const fd = openTerminal();
  const input = new ReadStream(fd);
  writeSync(fd, `${question} [y/N] `);
  try {
    const answer = (await readFirstLine(input)).toString('utf8').trim().toLowerCase();
    return answer === 'y' || answer === 'yes';
  } finally {
    input.destroy();
  }
}
