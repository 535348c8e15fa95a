// Passphrase sources of a command: a file, an inherited file descriptor, stdin or the terminal.

import { createReadStream } from 'node:fs';
import { AmuletError, usageError } from '../vault/errors';
import { promptHidden, readFirstLine } from './io';

export interface PassphraseArguments {
  passphraseFile?: string;
  passphraseFd?: number;
  tty?: boolean;
}

export interface Passphrase {
  value: Buffer;
  /** Typed at the terminal prompt, so the user can be asked to confirm things. */
  interactive: boolean;
}

// Defined in options.ts so that command modules can use them without loading this file.
export { passphraseOptions } from './options';

function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return 'file not found';
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return 'permission denied';
  }
  if (code === 'EISDIR') {
    return 'it is a directory';
  }
  return code ?? (error as Error).message;
}

async function readFromFile(path: string): Promise<Buffer> {
  const stream = createReadStream(path);
  try {
    return await readFirstLine(stream);
  } catch (error) {
    throw new AmuletError('EPASSFILE', `cannot read passphrase file ${path}: ${describeFileError(error)}`, {
      hint: 'check the path given with --passphrase-file',
    });
  }
}

async function readFromFd(fd: number): Promise<Buffer> {
  if (!Number.isInteger(fd) || fd < 0) {
    throw usageError(`invalid --passphrase-fd ${fd}: expected a file descriptor number`);
  }
  const stream = createReadStream('', { fd, autoClose: true });
  try {
    return await readFirstLine(stream);
  } catch (error) {
    throw new AmuletError('EPASSFD', `cannot read passphrase from file descriptor ${fd}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, {
      hint: 'open the descriptor for reading in the calling shell, for example 3< file',
    });
  }
}

/**
 * Reads the passphrase. `--passphrase-file` and `--passphrase-fd` win; otherwise `stdinLine`
 * chooses between the first line of stdin (unseal, verify) and the terminal prompt (seal, or
 * `--tty`). A stdin that is a terminal is never read as a line, because it would echo.
 */
export async function readPassphrase(
  args: PassphraseArguments,
  options: { stdinLine: boolean; prompt?: string },
): Promise<Passphrase> {
  if (args.passphraseFile !== undefined && args.passphraseFd !== undefined) {
    throw usageError('--passphrase-file and --passphrase-fd cannot be used together', 'give only one of them');
  }

  let value: Buffer;
  let interactive = false;
  if (args.passphraseFile !== undefined) {
    value = await readFromFile(args.passphraseFile);
  } else if (args.passphraseFd !== undefined) {
    value = await readFromFd(args.passphraseFd);
  } else if (options.stdinLine && !args.tty && !process.stdin.isTTY) {
    value = await readFirstLine(process.stdin);
    if (value.length === 0) {
      throw new AmuletError('ENOPASS', 'missing passphrase: the first line of stdin is empty', {
        hint: 'pipe the passphrase into amulet, or use --tty, --passphrase-file PATH or --passphrase-fd N',
      });
    }
  } else {
    value = await promptHidden(options.prompt ?? 'Passphrase: ');
    interactive = true;
  }

  if (value.length === 0) {
    throw new AmuletError('EPASSEMPTY', 'the passphrase is empty', {
      hint: 'give a non-empty passphrase; for scripts use --passphrase-file or --passphrase-fd',
    });
  }
  return { value, interactive };
}
