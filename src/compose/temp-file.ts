// The short-lived env file: a regular 0600 file in a private 0700 directory, on tmpfs where the
// OS has one, so the unsealed values never reach a disk.

import { constants, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AmuletError } from '../vault/errors';
import { processIsAlive } from '../vault/storage';

const TMPFS_MAGIC = 0x01021994;
const DIRECTORY_PREFIX = 'amulet-compose-';

export interface TemporaryEnvFile {
  path: string;
  directory: string;
  /** Removes the file and its directory; safe to call more than once. */
  remove(): Promise<void>;
}

async function isWritableTmpfs(path: string): Promise<boolean> {
  try {
    const stats = await fs.statfs(path);
    if (Number(stats.type) !== TMPFS_MAGIC) {
      return false;
    }
    await fs.access(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Chooses the base directory. `--tmpdir` wins when given. On Linux it is /dev/shm when that is a
 * writable tmpfs, else $XDG_RUNTIME_DIR. On macOS it is $TMPDIR, which is per-user and 0700, and
 * elsewhere the OS temp directory.
 */
export async function chooseTemporaryBase(
  requested: string | undefined,
  platform: NodeJS.Platform = process.platform,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  if (requested !== undefined) {
    try {
      const stats = await fs.stat(requested);
      if (!stats.isDirectory()) {
        throw new Error('not a directory');
      }
      await fs.access(requested, constants.W_OK);
    } catch {
      throw new AmuletError('ETMPDIR', `--tmpdir ${requested} is not a writable directory`, {
        hint: 'pass an existing directory that you can write to',
      });
    }
    return requested;
  }

  if (platform === 'linux') {
    if (await isWritableTmpfs('/dev/shm')) {
      return '/dev/shm';
    }
    const runtime = environment.XDG_RUNTIME_DIR;
    if (runtime !== undefined && runtime !== '') {
      try {
        await fs.access(runtime, constants.W_OK);
        return runtime;
      } catch {
        // fall through to the error below
      }
    }
    throw new AmuletError('ETMPDIR', 'no private memory-backed directory for the env file: /dev/shm is not a writable tmpfs and XDG_RUNTIME_DIR is not set', {
      hint: 'pass --tmpdir DIR with a directory only you can read, ideally on tmpfs',
    });
  }

  if (platform === 'darwin') {
    return environment.TMPDIR !== undefined && environment.TMPDIR !== '' ? environment.TMPDIR : tmpdir();
  }
  return tmpdir();
}

/**
 * Removes directories that earlier amulet runs left behind when they were killed (SIGKILL, power
 * loss): those whose owner pid, stored in the name, no longer runs. Returns the paths removed.
 */
export async function sweepStaleDirectories(base: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(base);
  } catch {
    return [];
  }

  const removed: string[] = [];
  const uid = process.getuid?.();
  for (const name of names) {
    const match = new RegExp(`^${DIRECTORY_PREFIX}(\\d+)-`).exec(name);
    if (match === null) {
      continue;
    }
    const pid = Number(match[1]);
    if (pid === process.pid || processIsAlive(pid)) {
      continue;
    }
    const path = join(base, name);
    try {
      const stats = await fs.lstat(path);
      if (!stats.isDirectory() || (uid !== undefined && stats.uid !== uid)) {
        continue;
      }
      await fs.rm(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // Another amulet may be sweeping the same directory at the same time.
    }
  }
  return removed;
}

/** Creates `<base>/amulet-compose-<pid>-XXXXXX/env` with mode 0600 (O_EXCL) and writes `data`. */
export async function createTemporaryEnvFile(base: string, data: Buffer): Promise<TemporaryEnvFile> {
  const directory = await fs.mkdtemp(join(base, `${DIRECTORY_PREFIX}${process.pid}-`));
  await fs.chmod(directory, 0o700);
  const path = join(directory, 'env');

  let removed = false;
  const remove = async () => {
    if (removed) {
      return;
    }
    removed = true;
    await fs.rm(directory, { recursive: true, force: true });
  };

  try {
    const handle = await fs.open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      // The mode given to open is reduced by the umask; chmod makes it exactly 0600.
      await handle.chmod(0o600);
      await handle.writeFile(data);
    } finally {
      await handle.close();
    }
  } catch (error) {
    await remove();
    throw new AmuletError('ETMPFILE', `cannot write the env file in ${directory}: ${(error as Error).message}`, {
      hint: 'pass --tmpdir DIR with a writable directory',
    });
  }
  return { path, directory, remove };
}
