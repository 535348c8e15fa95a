// The vault: named entries in one file, opened and changed through the functions below.

import { AmuletError, AuthenticationError } from './errors';
import {
  decodeBlob,
  encodeBlob,
  encodeKeyName,
  MAX_VALUE_BYTES,
  parseVault,
  serializeVault,
  VaultEntry,
} from './format';
import { openValue, randomSalt, sealValue } from './crypto';
import { KeyRing, MachineIdSource, Mode } from './keys';
import { readVaultFile, withVaultLock, writeVaultFileAtomic } from './storage';

export interface UnsealOptions {
  passphrase: Buffer;
  machineId: MachineIdSource;
  /** Reuse keys derived earlier, for example by a seal that checked the passphrase. */
  keyRing?: KeyRing;
}

export interface SealOptions extends UnsealOptions {
  portable: boolean;
}

/** The key chosen for new entries of one mode, and whether it opens the vault's existing entries. */
export interface SealKey {
  mode: Mode;
  salt: Buffer;
  key: Buffer;
  /** true: opens an existing entry of this mode; false: does not; null: there was none to try. */
  opensExisting: boolean | null;
}

export interface SealResult {
  added: string[];
  replaced: string[];
}

function keyNotFound(name: string, path: string): AmuletError {
  return new AmuletError('ENOKEY', `key "${name}" not found in vault ${path}`, {
    hint: `run "amulet list --vault ${path}" to see the keys it contains`,
  });
}

export function validateKeyName(name: string): void {
  try {
    encodeKeyName(name);
  } catch (error) {
    throw new AmuletError('EKEYNAME', `invalid key name "${name}": ${(error as Error).message}`, {
      hint: 'use a name of 1 to 255 bytes, for example OPENAI_API_KEY',
    });
  }
}

export function modeOfEntry(entry: VaultEntry): Mode {
  return decodeBlob(entry.blob).portable ? 'portable' : 'locked';
}

/** A snapshot of a vault file. Changes re-read the file under its lock before they write. */
export class Vault {
  private constructor(
    readonly path: string,
    private entries: VaultEntry[],
    /** Whether the file existed when it was read. */
    readonly exists: boolean,
  ) {}

  /** Reads and parses the vault at `path`; a missing or empty file is an empty vault. */
  static async open(path: string): Promise<Vault> {
    const data = await readVaultFile(path);
    return new Vault(path, data === null ? [] : parseVault(data, path), data !== null);
  }

  /** Like `open`, but a missing file is an error, for commands that only read. */
  static async openExisting(path: string): Promise<Vault> {
    const vault = await Vault.open(path);
    if (!vault.exists) {
      throw new AmuletError('ENOVAULT', `vault ${path} not found`, {
        hint: 'create one with "amulet init", or pass its path with --vault',
      });
    }
    return vault;
  }

  names(): string[] {
    return this.entries.map((entry) => entry.name);
  }

  has(name: string): boolean {
    return this.entries.some((entry) => entry.name === name);
  }

  entry(name: string): VaultEntry {
    const entry = this.entries.find((candidate) => candidate.name === name);
    if (entry === undefined) {
      throw keyNotFound(name, this.path);
    }
    return entry;
  }

  mode(name: string): Mode {
    return modeOfEntry(this.entry(name));
  }

  /**
   * Unseals `names` into a map of name to plaintext. Entries that share a salt and mode share one
   * Argon2id run; distinct runs go in parallel up to the KDF concurrency limit. The caller owns
   * the returned buffers and should zero them.
   */
  async unseal(names: readonly string[], options: UnsealOptions): Promise<Map<string, Buffer>> {
    const entries = names.map((name) => this.entry(name));
    const keyRing = options.keyRing ?? new KeyRing(options.passphrase, options.machineId);
    const values = new Map<string, Buffer>();

    try {
      const opened = await Promise.all(
        entries.map(async (entry) => {
          const sealed = decodeBlob(entry.blob);
          const mode: Mode = sealed.portable ? 'portable' : 'locked';
          const key = await keyRing.key(mode, sealed.salt, 'unseal', entry.name);
          return { name: entry.name, value: openValue(key, sealed) };
        }),
      );
      for (const { name, value } of opened) {
        if (value === null) {
          throw new AuthenticationError(name);
        }
        values.set(name, value);
      }
      return values;
    } catch (error) {
      for (const value of values.values()) {
        value.fill(0);
      }
      throw error;
    } finally {
      if (options.keyRing === undefined) {
        await keyRing.dispose();
      }
    }
  }

  /**
   * Chooses the key for new entries of `mode`. The salt of an existing entry of that mode is
   * reused when the passphrase opens that entry, so that a vault under one passphrase needs one
   * KDF run per mode to open. Otherwise a fresh random salt is drawn.
   */
  async sealKey(mode: Mode, keyRing: KeyRing): Promise<SealKey> {
    const reference = this.entries.find((entry) => modeOfEntry(entry) === mode);
    if (reference !== undefined) {
      const sealed = decodeBlob(reference.blob);
      const key = await keyRing.key(mode, sealed.salt, 'seal');
      const plaintext = openValue(key, sealed);
      if (plaintext !== null) {
        plaintext.fill(0);
        return { mode, salt: Buffer.from(sealed.salt), key, opensExisting: true };
      }
    }

    const salt = randomSalt();
    const key = await keyRing.key(mode, salt, 'seal');
    return { mode, salt, key, opensExisting: reference === undefined ? null : false };
  }

  /**
   * Returns whether the passphrase opens at least one existing entry (null when the vault is
   * empty), trying one entry of each mode. Costs up to one KDF run per mode, most of them cached.
   */
  async passphraseOpensAny(keyRing: KeyRing): Promise<boolean | null> {
    let tried = false;
    for (const mode of ['portable', 'locked'] as const) {
      const reference = this.entries.find((entry) => modeOfEntry(entry) === mode);
      if (reference === undefined) {
        continue;
      }
      if (mode === 'locked' && (await keyRing.machineId()) === null) {
        continue;
      }
      tried = true;
      const sealed = decodeBlob(reference.blob);
      const plaintext = openValue(await keyRing.key(mode, sealed.salt, 'unseal', reference.name), sealed);
      if (plaintext !== null) {
        plaintext.fill(0);
        return true;
      }
    }
    return tried ? false : null;
  }

  /** Encrypts `values` under `sealKey` and stores them, adding or replacing entries, in one write. */
  async store(values: ReadonlyMap<string, Buffer>, sealKey: SealKey): Promise<SealResult> {
    const blobs = new Map<string, Buffer>();
    for (const [name, value] of values) {
      validateKeyName(name);
      if (value.length > MAX_VALUE_BYTES) {
        throw new AmuletError('EVALUESIZE', `value of "${name}" is ${value.length} bytes, the maximum is ${MAX_VALUE_BYTES}`, {
          hint: 'store large files elsewhere and seal a key or path to them',
        });
      }
      blobs.set(name, encodeBlob(sealValue(sealKey.key, sealKey.salt, sealKey.mode === 'portable', value)));
    }

    const result: SealResult = { added: [], replaced: [] };
    await this.update((entries) => {
      for (const [name, blob] of blobs) {
        const existing = entries.find((entry) => entry.name === name);
        if (existing === undefined) {
          entries.push({ name, blob });
          result.added.push(name);
        } else {
          existing.blob = blob;
          result.replaced.push(name);
        }
      }
    });
    return result;
  }

  /** Seals one value: picks the key for its mode, encrypts and writes. */
  async seal(name: string, value: Buffer, options: SealOptions): Promise<SealResult> {
    validateKeyName(name);
    const keyRing = options.keyRing ?? new KeyRing(options.passphrase, options.machineId);
    try {
      const sealKey = await this.sealKey(options.portable ? 'portable' : 'locked', keyRing);
      return await this.store(new Map([[name, value]]), sealKey);
    } finally {
      if (options.keyRing === undefined) {
        await keyRing.dispose();
      }
    }
  }

  async delete(name: string): Promise<void> {
    await this.update((entries) => {
      const index = entries.findIndex((entry) => entry.name === name);
      if (index < 0) {
        throw keyNotFound(name, this.path);
      }
      entries.splice(index, 1);
    });
  }

  /** Renames an entry in place. The blob is kept as it is: no passphrase, no re-encryption. */
  async rename(from: string, to: string): Promise<void> {
    validateKeyName(to);
    await this.update((entries) => {
      const entry = entries.find((candidate) => candidate.name === from);
      if (entry === undefined) {
        throw keyNotFound(from, this.path);
      }
      if (from !== to && entries.some((candidate) => candidate.name === to)) {
        throw new AmuletError('EKEYEXISTS', `key "${to}" already exists in vault ${this.path}`, {
          hint: `delete it first with "amulet delete ${to}", or choose another name`,
        });
      }
      entry.name = to;
    });
  }

  /** Replaces entries with re-encrypted blobs, in one write; used by re-seal. */
  async replaceBlobs(blobs: ReadonlyMap<string, Buffer>): Promise<void> {
    await this.update((entries) => {
      for (const [name, blob] of blobs) {
        const entry = entries.find((candidate) => candidate.name === name);
        if (entry === undefined) {
          throw keyNotFound(name, this.path);
        }
        entry.blob = blob;
      }
    });
  }

  /**
   * Re-reads the file under the lock, applies `change` to its entries and writes the result. A
   * file that does not parse throws before anything is written, so it is never overwritten.
   */
  private async update(change: (entries: VaultEntry[]) => void): Promise<void> {
    await withVaultLock(this.path, async () => {
      const data = await readVaultFile(this.path);
      const entries = data === null ? [] : parseVault(data, this.path);
      change(entries);
      await writeVaultFileAtomic(this.path, serializeVault(entries));
      this.entries = entries;
    });
  }
}
