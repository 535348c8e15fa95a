// The programmatic API of amulet: open a vault, list, unseal, seal and re-seal keys. The CLI
// commands unseal, verify, import and re-seal are built on these functions.
//
// Secret values are Buffers. A Buffer returned by `unseal` or `unsealMany` belongs to the caller,
// who should zero it (`buffer.fill(0)`) when done; `withSecret` and `withSecrets` do that for you.
// A passphrase given as a Buffer is never changed or kept. A passphrase given as a string is
// copied into a Buffer that is zeroed before the function returns, but the string itself cannot
// be erased from memory.

import { readMachineId } from './system/machine-id';
import { openValue, randomSalt, sealValue } from './vault/crypto';
import { AmuletError, AuthenticationError } from './vault/errors';
import { decodeBlob, encodeBlob } from './vault/format';
import { KeyRing, MachineIdSource, missingMachineIdError, Mode } from './vault/keys';
import { SealKey, SealResult, Vault } from './vault/vault';

export { AmuletError, AuthenticationError, ExitCode, VaultFormatError } from './vault/errors';
export type { ExitCodeValue } from './vault/errors';
export type { MachineIdSource, Mode } from './vault/keys';
export type { SealResult } from './vault/vault';
export { Vault } from './vault/vault';
export { readMachineId } from './system/machine-id';

/** A vault given by its path, or one already opened with `openVault`. */
export type VaultSource = string | Vault;

export interface SecretOptions {
  passphrase: Buffer | string;
  /**
   * The machine id that Locked entries are bound to: a string, null for none (Locked entries
   * then fail), or a function that returns it. Default: this host's id, read by `readMachineId`.
   */
  machineId?: MachineIdSource;
}

export interface SealOptions extends SecretOptions {
  /** Seal with the passphrase alone, so that the entries open on any machine. Default: false (Locked). */
  portable?: boolean;
  /**
   * Called after the passphrase has been tried on the vault's existing entries, before anything
   * is written. The argument is true when the passphrase opens at least one of them, false when
   * it opens none, and null when the vault has no entry to try. A rejection cancels the seal.
   */
  checkPassphrase?: (opensExisting: boolean | null) => Promise<void> | void;
}

export interface ResealOptions extends SecretOptions {
  /** The passphrase to seal the entries under. */
  newPassphrase: Buffer | string;
}

export interface ResealResult {
  /** Entries now sealed under the new passphrase, each in its former mode. */
  resealed: string[];
  /** Entries left unchanged because they do not open with the current passphrase (`all` only). */
  skipped: string[];
}

/** A passphrase as a Buffer, and a function that zeroes it when this module made the copy. */
function passphraseBuffer(passphrase: Buffer | string): { value: Buffer; release(): void } {
  if (typeof passphrase !== 'string') {
    return { value: passphrase, release: () => undefined };
  }
  const value = Buffer.from(passphrase, 'utf8');
  return { value, release: () => value.fill(0) };
}

function machineIdSource(options: SecretOptions): MachineIdSource {
  return options.machineId === undefined ? () => readMachineId() : options.machineId;
}

async function resolveVault(source: VaultSource): Promise<Vault> {
  return typeof source === 'string' ? Vault.openExisting(source) : source;
}

/** Opens the vault at `path`. A missing file is an error (`ENOVAULT`); an empty file is an empty vault. */
export function openVault(path: string): Promise<Vault> {
  return Vault.openExisting(path);
}

/** Returns the key names of a vault in file order. Needs no passphrase. */
export async function listKeys(vault: VaultSource): Promise<string[]> {
  return (await resolveVault(vault)).names();
}

/**
 * Unseals `keys` into a map of key name to value. Entries that share a salt and mode cost one
 * Argon2id run between them. Fails with `ENOKEY` before any key derivation when a key is
 * missing, and with `AuthenticationError` when an entry does not open. The caller owns the
 * returned Buffers and should zero them.
 */
export async function unsealMany(vault: VaultSource, keys: readonly string[], options: SecretOptions): Promise<Map<string, Buffer>> {
  const opened = await resolveVault(vault);
  const names = [...new Set(keys)];
  for (const name of names) {
    opened.entry(name);
  }

  const passphrase = passphraseBuffer(options.passphrase);
  try {
    return await opened.unseal(names, { passphrase: passphrase.value, machineId: machineIdSource(options) });
  } finally {
    passphrase.release();
  }
}

/** Unseals one key. The caller owns the returned Buffer and should zero it. */
export async function unseal(vault: VaultSource, key: string, options: SecretOptions): Promise<Buffer> {
  const values = await unsealMany(vault, [key], options);
  return values.get(key)!;
}

/**
 * Unseals `keys`, passes them to `callback`, and zeroes every Buffer when the callback's result
 * settles, also when it throws or rejects. The callback's error is rethrown unchanged. Do not keep
 * or return the Buffers, because after the callback they contain only zeros.
 */
export async function withSecrets<T>(
  vault: VaultSource,
  keys: readonly string[],
  options: SecretOptions,
  callback: (secrets: ReadonlyMap<string, Buffer>) => T | Promise<T>,
): Promise<T> {
  const secrets = await unsealMany(vault, keys, options);
  try {
    return await callback(secrets);
  } finally {
    for (const secret of secrets.values()) {
      secret.fill(0);
    }
  }
}

/** Like `withSecrets`, for one key. */
export function withSecret<T>(
  vault: VaultSource,
  key: string,
  options: SecretOptions,
  callback: (secret: Buffer) => T | Promise<T>,
): Promise<T> {
  return withSecrets(vault, [key], options, (secrets) => callback(secrets.get(key)!));
}

/**
 * Seals every value of `values` under one passphrase, in one mode, with one write of the vault
 * file (which is created when missing). Existing keys are replaced. The key for new entries
 * reuses the salt of the vault's first entry of the same mode when the passphrase opens that
 * entry (see `Vault.sealKey`), so a vault under one passphrase keeps needing one Argon2id run per
 * mode. The Buffers in `values` are not zeroed.
 */
export async function sealMany(vault: VaultSource, values: ReadonlyMap<string, Buffer>, options: SealOptions): Promise<SealResult> {
  const opened = typeof vault === 'string' ? await Vault.open(vault) : vault;
  const passphrase = passphraseBuffer(options.passphrase);
  const keyRing = new KeyRing(passphrase.value, machineIdSource(options));
  try {
    const mode: Mode = options.portable === true ? 'portable' : 'locked';
    if (mode === 'locked' && (await keyRing.machineId()) === null) {
      throw missingMachineIdError('seal');
    }
    if (options.checkPassphrase !== undefined) {
      await options.checkPassphrase(await opened.passphraseOpensAny(keyRing));
    }
    const sealKey = await opened.sealKey(mode, keyRing);
    return await opened.store(values, sealKey);
  } finally {
    await keyRing.dispose();
    passphrase.release();
  }
}

/** Seals one value; see `sealMany`. */
export function seal(vault: VaultSource, key: string, value: Buffer, options: SealOptions): Promise<SealResult> {
  return sealMany(vault, new Map([[key, value]]), options);
}

/** Opens one entry with `keyRing`; returns null when it does not open or, for a Locked entry, when there is no machine id. */
async function tryOpenEntry(vault: Vault, name: string, keyRing: KeyRing): Promise<Buffer | null> {
  const sealed = decodeBlob(vault.entry(name).blob);
  const mode: Mode = sealed.portable ? 'portable' : 'locked';
  if (mode === 'locked' && (await keyRing.machineId()) === null) {
    return null;
  }
  return openValue(await keyRing.key(mode, sealed.salt, 'unseal', name), sealed);
}

/**
 * Chooses the key for re-sealed entries of `mode`. The salt of an entry that is not being
 * re-sealed is reused when the new passphrase opens that entry, so that entries already under the
 * new passphrase and the re-sealed ones share one Argon2id run. Each distinct salt tried costs one
 * run. Otherwise a fresh random salt is drawn, one for all re-sealed entries of the mode.
 */
async function resealKey(vault: Vault, mode: Mode, resealing: ReadonlySet<string>, keyRing: KeyRing): Promise<SealKey> {
  const candidates = new Map<string, string>();
  for (const name of vault.names()) {
    const sealed = decodeBlob(vault.entry(name).blob);
    if (!resealing.has(name) && sealed.portable === (mode === 'portable')) {
      candidates.set(sealed.salt.toString('hex'), name);
    }
  }

  const opened = await Promise.all([...candidates.values()].map((name) => tryOpenEntry(vault, name, keyRing)));
  for (const [index, name] of [...candidates.values()].entries()) {
    const plaintext = opened[index];
    if (plaintext !== null) {
      for (const other of opened) {
        other?.fill(0);
      }
      const salt = Buffer.from(decodeBlob(vault.entry(name).blob).salt);
      return { mode, salt, key: await keyRing.key(mode, salt, 'seal'), opensExisting: true };
    }
  }

  const salt = randomSalt();
  return { mode, salt, key: await keyRing.key(mode, salt, 'seal'), opensExisting: candidates.size > 0 ? false : null };
}

/**
 * Re-encrypts entries under a new passphrase, each in its current mode (Locked or Portable), and
 * replaces them in one write. With a list of keys, every one must open with the current
 * passphrase, or nothing is written. With `'all'`, every entry that opens is re-sealed and the
 * others are left unchanged and returned in `skipped`; it fails when none opens.
 */
export async function reseal(vault: VaultSource, keys: readonly string[] | 'all', options: ResealOptions): Promise<ResealResult> {
  const opened = await resolveVault(vault);
  const names = keys === 'all' ? opened.names() : [...new Set(keys)];
  if (names.length === 0) {
    throw new AmuletError('EEMPTY', `vault ${opened.path} has no entries to re-seal`, {
      hint: `run "amulet list --vault ${opened.path}" to see its keys`,
    });
  }
  for (const name of names) {
    opened.entry(name);
  }

  const machineId = machineIdSource(options);
  const sharedMachineId = typeof machineId === 'function' ? memoize(machineId) : machineId;
  const current = passphraseBuffer(options.passphrase);
  const next = passphraseBuffer(options.newPassphrase);
  const currentRing = new KeyRing(current.value, sharedMachineId);
  const nextRing = new KeyRing(next.value, sharedMachineId);
  const plaintexts = new Map<string, Buffer>();

  try {
    const results = await Promise.all(names.map((name) => tryOpenEntry(opened, name, currentRing)));
    const skipped: string[] = [];
    names.forEach((name, index) => {
      const plaintext = results[index];
      if (plaintext === null) {
        skipped.push(name);
      } else {
        plaintexts.set(name, plaintext);
      }
    });

    if (keys !== 'all' && skipped.length > 0) {
      const locked = opened.mode(skipped[0]) === 'locked';
      if (locked && (await currentRing.machineId()) === null) {
        throw missingMachineIdError('unseal', skipped[0]);
      }
      throw new AuthenticationError(skipped[0]);
    }
    if (plaintexts.size === 0) {
      throw new AmuletError('EAUTH', `no entry of vault ${opened.path} opens with the current passphrase; nothing re-sealed`, {
        hint: 'check the current passphrase; Locked entries open only on the machine that sealed them',
      });
    }

    const resealing = new Set(plaintexts.keys());
    const blobs = new Map<string, Buffer>();
    for (const mode of ['locked', 'portable'] as const) {
      const members = [...resealing].filter((name) => opened.mode(name) === mode);
      if (members.length === 0) {
        continue;
      }
      const sealKey = await resealKey(opened, mode, resealing, nextRing);
      for (const name of members) {
        blobs.set(name, encodeBlob(sealValue(sealKey.key, sealKey.salt, mode === 'portable', plaintexts.get(name)!)));
      }
    }

    await opened.replaceBlobs(blobs);
    return { resealed: names.filter((name) => resealing.has(name)), skipped };
  } finally {
    for (const plaintext of plaintexts.values()) {
      plaintext.fill(0);
    }
    await Promise.all([currentRing.dispose(), nextRing.dispose()]);
    current.release();
    next.release();
  }
}

/** Wraps a machine id reader so that two key rings read the id once between them. */
function memoize(read: () => Promise<string | null>): () => Promise<string | null> {
  let result: Promise<string | null> | undefined;
  return () => (result ??= read());
}
