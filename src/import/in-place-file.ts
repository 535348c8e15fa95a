// A file that `amulet import --wipe` reads and later overwrites in place: the same inode, so hard
// links, owner and permissions stay as they are. The checks run when the file is opened, before
// anything is sealed.

import { constants, promises as fs } from 'node:fs';
import { AmuletError } from '../vault/errors';

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function cannotRewrite(path: string, reason: string, hint: string): AmuletError {
  return new AmuletError('EWIPE', `cannot wipe ${path}: ${reason}; nothing was imported`, { hint });
}

/** Reads the whole file from offset 0, whatever the handle's current position. */
async function readFromStart(handle: fs.FileHandle): Promise<Buffer> {
  const { size } = await handle.stat();
  const data = Buffer.alloc(size);
  let filled = 0;
  while (filled < size) {
    const { bytesRead } = await handle.read(data, filled, size - filled, filled);
    if (bytesRead === 0) {
      return data.subarray(0, filled);
    }
    filled += bytesRead;
  }
  return data;
}

async function writeAt(handle: fs.FileHandle, data: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const result = await handle.write(data, written, data.length - written, position + written);
    written += result.bytesWritten;
  }
}

export class InPlaceFile {
  private constructor(
    readonly path: string,
    private readonly handle: fs.FileHandle,
    /** The bytes read when the file was opened. */
    readonly data: Buffer,
  ) {}

  /**
   * Opens `path` for reading and writing and reads it. Rejects a symbolic link, anything but a
   * regular file, and a file this process cannot write.
   */
  static async open(path: string): Promise<InPlaceFile> {
    let stats;
    try {
      stats = await fs.lstat(path);
    } catch (error) {
      throw new AmuletError('EENVFILE', `cannot read env file ${path}: ${errorCode(error) ?? 'error'}`, {
        hint: 'check the path given with --env-file',
      });
    }
    if (stats.isSymbolicLink()) {
      throw cannotRewrite(path, 'it is a symbolic link', 'pass the path of the file the link points to with --env-file');
    }
    if (!stats.isFile()) {
      throw cannotRewrite(path, 'it is not a regular file', 'import without --wipe, or copy the variables into a regular file');
    }

    let handle: fs.FileHandle;
    try {
      // O_NOFOLLOW closes the gap between lstat and open; it is not defined on Windows.
      handle = await fs.open(path, constants.O_RDWR | (constants.O_NOFOLLOW ?? 0));
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ELOOP') {
        throw cannotRewrite(path, 'it is a symbolic link', 'pass the path of the file the link points to with --env-file');
      }
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
        throw cannotRewrite(path, `it is not writable (${code})`, 'make the file writable, or import without --wipe');
      }
      throw cannotRewrite(path, `it cannot be opened for writing (${code ?? 'error'})`, 'import without --wipe');
    }

    try {
      if (!(await handle.stat()).isFile()) {
        throw cannotRewrite(path, 'it is not a regular file', 'import without --wipe, or copy the variables into a regular file');
      }
      return new InPlaceFile(path, handle, await readFromStart(handle));
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * Overwrites the file from offset 0 with `replacement`, which has the length of the bytes read
   * at open, appends `suffix` when given, and flushes the file to disk. Fails without writing when
   * the file changed since it was read, since the value ranges would no longer fit.
   */
  async rewrite(replacement: Buffer, suffix: Buffer | null): Promise<void> {
    const current = await readFromStart(this.handle);
    const unchanged = current.equals(this.data);
    current.fill(0);
    if (!unchanged) {
      throw new AmuletError('EWIPE', `cannot wipe ${this.path}: the file changed after it was read; it was not wiped`, {
        hint: 'the variables are sealed in the vault; overwrite or delete the file by hand',
      });
    }
    if (replacement.length !== this.data.length) {
      throw new Error('the wiped file must keep the length of the original');
    }

    try {
      await writeAt(this.handle, replacement, 0);
      if (suffix !== null) {
        await writeAt(this.handle, suffix, replacement.length);
      }
      await this.handle.sync();
    } catch (error) {
      throw new AmuletError('EWIPE', `cannot wipe ${this.path}: ${errorCode(error) ?? (error as Error).message}`, {
        hint: 'the variables are sealed in the vault; overwrite or delete the file by hand',
      });
    }
  }

  /** Zeroes the bytes read at open and closes the file. */
  async close(): Promise<void> {
    this.data.fill(0);
    await this.handle.close();
  }
}
