// Vault files on disk: reading without following symlinks, atomic replacement, and a lock
// file that serializes writers.

import { constants, promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { AmuletError } from './errors';

const LOCK_POLL_MS = 25;
const DEFAULT_LOCK_TIMEOUT_MS = 15_000;

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function symlinkError(path: string): AmuletError {
  return new AmuletError('ESYMLINK', `vault ${path} is a symbolic link, which amulet does not follow`, {
    hint: 'pass the real path of the vault file with --vault',
  });
}

/** Reads a vault file. Returns null when it does not exist; rejects symlinks. */
export async function readVaultFile(path: string): Promise<Buffer | null> {
  let handle: fs.FileHandle;
  try {
    // O_NOFOLLOW is not defined on Windows, where lstat below does the check.
    handle = await fs.open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') {
      return null;
    }
    if (code === 'ELOOP') {
      throw symlinkError(path);
    }
    if (code === 'EISDIR') {
      throw new AmuletError('EISDIR', `vault ${path} is a directory`, { hint: 'pass a file path with --vault' });
    }
    throw new AmuletError('EREAD', `cannot read vault ${path}: ${(error as Error).message}`);
  }

  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw new AmuletError('ENOTFILE', `vault ${path} is not a regular file`, { hint: 'pass a file path with --vault' });
    }
    if (process.platform === 'win32' && (await fs.lstat(path)).isSymbolicLink()) {
      throw symlinkError(path);
    }
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` with `data` atomically: the bytes go to a new 0600 file with a unique name in the
 * same directory, are fsynced, and the file is renamed over the old one. A crash leaves either the
 * old or the new vault, never a mix.
 */
export async function writeVaultFileAtomic(path: string, data: Buffer): Promise<void> {
  const directory = dirname(path);
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    try {
      await handle.chmod(0o600);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, path);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw new AmuletError('EWRITE', `cannot write vault ${path}: ${(error as Error).message}`);
  }
  await syncDirectory(directory);
}

async function syncDirectory(directory: string): Promise<void> {
  if (process.platform === 'win32') {
    return;
  }
  const handle = await fs.open(directory, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Checks that new files can be created beside the vault (its temporary file and lock), so that a
 * command fails before it prompts for secrets rather than after.
 */
export async function assertVaultDirectoryWritable(path: string): Promise<void> {
  const directory = dirname(path) || '.';
  try {
    await fs.access(directory, constants.W_OK);
  } catch (error) {
    const reason = errorCode(error) === 'ENOENT' ? 'does not exist' : 'is not writable';
    throw new AmuletError('EVAULTDIR', `cannot write vault ${path}: directory ${directory} ${reason}`, {
      hint: 'create the directory, or choose a vault path in a directory you can write to',
    });
  }
}

/** Creates a new empty vault file with mode 0600; fails if anything exists at `path`. */
export async function createVaultFile(path: string): Promise<void> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') {
      throw new AmuletError('EEXIST', `vault ${path} already exists`, {
        hint: 'use it as it is, or choose another path with --vault',
      });
    }
    throw new AmuletError('EWRITE', `cannot create vault ${path}: ${(error as Error).message}`);
  }
  try {
    await handle.chmod(0o600);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Returns whether a process with this pid exists (EPERM means it runs under another user). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

/**
 * Runs `action` while holding `<path>.lock`, a file created with O_EXCL that stores the owner's
 * pid. A lock whose owner process is gone is taken over. Waits up to `timeoutMs` for a live owner.
 */
export async function withVaultLock<T>(
  path: string,
  action: () => Promise<T>,
  timeoutMs: number = DEFAULT_LOCK_TIMEOUT_MS,
): Promise<T> {
  const lockPath = `${path}.lock`;
  const deadline = Date.now() + timeoutMs;

  for (;;) {
    try {
      const handle = await fs.open(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') {
        await assertVaultDirectoryWritable(path);
        throw new AmuletError('ELOCK', `cannot create lock file ${lockPath}: ${(error as Error).message}`);
      }
    }

    const owner = Number.parseInt(await fs.readFile(lockPath, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && owner > 0 && !processIsAlive(owner)) {
      await fs.rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      const who = Number.isInteger(owner) ? `process ${owner}` : 'another process';
      throw new AmuletError('ELOCKED', `timed out waiting for lock ${lockPath}, held by ${who}`, {
        hint: 'wait for the other amulet command to finish; if none runs, delete the lock file',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }

  try {
    return await action();
  } finally {
    await fs.rm(lockPath, { force: true });
  }
}
