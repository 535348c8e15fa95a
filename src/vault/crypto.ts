// Key derivation (Argon2id) and sealing (ChaCha20-Poly1305) of single values.
//
// Security trade-offs accepted here:
// - Argon2id at 64 MiB, t=3, p=1 costs about 150 ms a run on a current x86-64 core. The cost is
//   fixed by the v1 format (it is not stored in the blob), so a reader never runs with a cost
//   that a file chose.
// - Locked mode only mixes the machine id into the KDF input. The machine id is not secret
//   (any local user can read /etc/machine-id), so Locked keeps a copied vault from opening
//   elsewhere, but it adds no strength against an attacker on the same host.
// - Entries sealed under one passphrase may share a salt and therefore a key. Each entry draws a
//   random 96-bit nonce, so the (key, nonce) pair does not repeat in practice for vaults of any
//   realistic size, and a passphrase guess costs the attacker one KDF run as before.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { BLOB_VERSION, NONCE_LENGTH, SALT_LENGTH, SealedBlob, TAG_LENGTH } from './format';

export const KDF_PARAMETERS = {
  memoryCostKiB: 65536,
  timeCost: 3,
  parallelism: 1,
  hashLength: 32,
  version: 0x13,
} as const;

export const KDF_MEMORY_BYTES = KDF_PARAMETERS.memoryCostKiB * 1024;

const ASSOCIATED_DATA = Buffer.from([BLOB_VERSION]);

/** Builds the KDF input: `passphrase || 0x00 || machine_id` when Locked, `passphrase` when Portable. */
export function kdfInput(passphrase: Buffer, machineId: Buffer | null): Buffer {
  if (machineId === null) {
    return Buffer.from(passphrase);
  }
  return Buffer.concat([passphrase, Buffer.from([0]), machineId]);
}

/**
 * Derives the 32-byte entry key with Argon2id. `machineId` is null for Portable entries.
 * The caller owns the returned buffer and should zero it when done.
 */
export async function deriveKey(passphrase: Buffer, salt: Buffer, machineId: Buffer | null): Promise<Buffer> {
  if (salt.length !== SALT_LENGTH) {
    throw new Error(`salt must be ${SALT_LENGTH} bytes, got ${salt.length}`);
  }
  // Loaded here, not at the top, so that commands that derive no key start without the addon.
  const argon2 = await import('argon2');
  const input = kdfInput(passphrase, machineId);
  try {
    return await argon2.hash(input, {
      type: argon2.argon2id,
      memoryCost: KDF_PARAMETERS.memoryCostKiB,
      timeCost: KDF_PARAMETERS.timeCost,
      parallelism: KDF_PARAMETERS.parallelism,
      hashLength: KDF_PARAMETERS.hashLength,
      version: KDF_PARAMETERS.version,
      salt,
      raw: true,
    });
  } finally {
    input.fill(0);
  }
}

export function randomSalt(): Buffer {
  return randomBytes(SALT_LENGTH);
}

/** Encrypts `plaintext` under `key` with a fresh random nonce. */
export function sealValue(
  key: Buffer,
  salt: Buffer,
  portable: boolean,
  plaintext: Buffer,
): Omit<SealedBlob, 'version'> {
  const nonce = randomBytes(NONCE_LENGTH);
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG_LENGTH });
  cipher.setAAD(ASSOCIATED_DATA, { plaintextLength: plaintext.length });
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { portable, salt: Buffer.from(salt), nonce, ciphertext, tag: cipher.getAuthTag() };
}

/** Decrypts a blob. Returns null when the tag does not verify (wrong key). */
export function openValue(key: Buffer, sealed: SealedBlob): Buffer | null {
  const decipher = createDecipheriv('chacha20-poly1305', key, sealed.nonce, { authTagLength: TAG_LENGTH });
  decipher.setAAD(ASSOCIATED_DATA, { plaintextLength: sealed.ciphertext.length });
  decipher.setAuthTag(sealed.tag);
  const plaintext = decipher.update(sealed.ciphertext);
  try {
    decipher.final();
  } catch {
    plaintext.fill(0);
    return null;
  }
  return plaintext;
}
