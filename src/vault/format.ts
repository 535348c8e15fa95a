// Byte layout of Amulet v1 vault files. Pure functions: bytes in, entries out, and back.
//
//   vault = entry*                         (an empty file is an empty vault)
//   entry = u16be key_len, key, u32be blob_len, blob
//   blob  = u8 version (0x01), u8 flags (bit 0 = portable), salt[16], nonce[12],
//           u32be ciphertext_len, ciphertext, tag[16]

import { VaultFormatError } from './errors';

export const BLOB_VERSION = 0x01;
export const FLAG_PORTABLE = 0x01;
export const SALT_LENGTH = 16;
export const NONCE_LENGTH = 12;
export const TAG_LENGTH = 16;
export const MAX_KEY_NAME_BYTES = 255;
export const MAX_VALUE_BYTES = 64 * 1024;

/** Bytes of a blob around its ciphertext: version, flags, salt, nonce, length field, tag. */
export const BLOB_OVERHEAD = 1 + 1 + SALT_LENGTH + NONCE_LENGTH + 4 + TAG_LENGTH;
export const MAX_BLOB_BYTES = BLOB_OVERHEAD + MAX_VALUE_BYTES;

/** One vault entry: the key name and its sealed blob, kept as stored. */
export interface VaultEntry {
  name: string;
  blob: Buffer;
}

/** The fields of a sealed blob. */
export interface SealedBlob {
  version: number;
  portable: boolean;
  salt: Buffer;
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/**
 * Checks a key name: 1 to 255 bytes of UTF-8. Returns the encoded bytes. Throws a plain Error
 * so that callers wrap it in the error that fits their input.
 */
export function encodeKeyName(name: string): Buffer {
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length === 0) {
    throw new Error('key name is empty');
  }
  if (bytes.length > MAX_KEY_NAME_BYTES) {
    throw new Error(`key name is ${bytes.length} bytes long, the maximum is ${MAX_KEY_NAME_BYTES}`);
  }
  if (bytes.toString('utf8') !== name) {
    throw new Error('key name is not valid Unicode text');
  }
  return bytes;
}

/**
 * Parses a whole vault file. Every length field is checked against the limits and the bytes
 * left before anything is sliced, so a hostile file cannot make the reader allocate.
 */
export function parseVault(data: Buffer, path?: string): VaultEntry[] {
  const entries: VaultEntry[] = [];
  const seen = new Set<string>();
  let offset = 0;

  while (offset < data.length) {
    const entryIndex = entries.length;
    const fail = (code: string, detail: string, at: number): never => {
      throw new VaultFormatError(code, detail, { path, entryIndex, offset: at });
    };

    if (data.length - offset < 2) {
      fail('ETRUNCATED', 'file ends inside a key length field', offset);
    }
    const keyLength = data.readUInt16BE(offset);
    if (keyLength === 0) {
      fail('EKEYLENGTH', 'key length is 0', offset);
    }
    if (keyLength > MAX_KEY_NAME_BYTES) {
      fail('EKEYLENGTH', `key length ${keyLength} exceeds the maximum of ${MAX_KEY_NAME_BYTES}`, offset);
    }
    offset += 2;

    if (data.length - offset < keyLength) {
      fail('ETRUNCATED', 'file ends inside a key name', offset);
    }
    const keyBytes = data.subarray(offset, offset + keyLength);
    const name = keyBytes.toString('utf8');
    if (!Buffer.from(name, 'utf8').equals(keyBytes)) {
      fail('EKEYNAME', 'key name is not valid UTF-8', offset);
    }
    if (seen.has(name)) {
      fail('EDUPLICATE', `key "${name}" appears twice`, offset);
    }
    offset += keyLength;

    if (data.length - offset < 4) {
      fail('ETRUNCATED', `file ends inside the blob length of "${name}"`, offset);
    }
    const blobLength = data.readUInt32BE(offset);
    if (blobLength > MAX_BLOB_BYTES) {
      fail('EBLOBLENGTH', `blob length ${blobLength} of "${name}" exceeds the maximum of ${MAX_BLOB_BYTES}`, offset);
    }
    if (blobLength < BLOB_OVERHEAD) {
      fail('EBLOBLENGTH', `blob length ${blobLength} of "${name}" is below the minimum of ${BLOB_OVERHEAD}`, offset);
    }
    offset += 4;

    if (data.length - offset < blobLength) {
      fail('ETRUNCATED', `file ends inside the blob of "${name}"`, offset);
    }
    const blob = data.subarray(offset, offset + blobLength);
    checkBlob(blob, (code, detail, at) => fail(code, `${detail} in the blob of "${name}"`, offset + at));
    offset += blobLength;

    seen.add(name);
    entries.push({ name, blob: Buffer.from(blob) });
  }

  return entries;
}

type BlobFailure = (code: string, detail: string, offsetInBlob: number) => never;

function checkBlob(blob: Buffer, fail: BlobFailure): void {
  const version = blob[0];
  if (version !== BLOB_VERSION) {
    fail('EVERSION', `unsupported version 0x${version.toString(16).padStart(2, '0')}`, 0);
  }
  const flags = blob[1];
  if ((flags & ~FLAG_PORTABLE) !== 0) {
    fail('EFLAGS', `unknown flags 0x${flags.toString(16).padStart(2, '0')}`, 1);
  }
  const lengthOffset = 2 + SALT_LENGTH + NONCE_LENGTH;
  const ciphertextLength = blob.readUInt32BE(lengthOffset);
  if (ciphertextLength > MAX_VALUE_BYTES) {
    fail('EVALUELENGTH', `ciphertext length ${ciphertextLength} exceeds the maximum of ${MAX_VALUE_BYTES}`, lengthOffset);
  }
  if (BLOB_OVERHEAD + ciphertextLength !== blob.length) {
    fail(
      'EBLOBLENGTH',
      `ciphertext length ${ciphertextLength} does not match blob length ${blob.length}`,
      lengthOffset,
    );
  }
}

/** Splits a blob that `parseVault` accepted into its fields. */
export function decodeBlob(blob: Buffer): SealedBlob {
  let offset = 0;
  const version = blob[offset++];
  const flags = blob[offset++];
  const salt = blob.subarray(offset, (offset += SALT_LENGTH));
  const nonce = blob.subarray(offset, (offset += NONCE_LENGTH));
  const ciphertextLength = blob.readUInt32BE(offset);
  offset += 4;
  const ciphertext = blob.subarray(offset, (offset += ciphertextLength));
  const tag = blob.subarray(offset, offset + TAG_LENGTH);
  return { version, portable: (flags & FLAG_PORTABLE) !== 0, salt, nonce, ciphertext, tag };
}

export function encodeBlob(sealed: Omit<SealedBlob, 'version'>): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(sealed.ciphertext.length);
  return Buffer.concat([
    Buffer.from([BLOB_VERSION, sealed.portable ? FLAG_PORTABLE : 0]),
    sealed.salt,
    sealed.nonce,
    length,
    sealed.ciphertext,
    sealed.tag,
  ]);
}

export function serializeVault(entries: readonly VaultEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const name = encodeKeyName(entry.name);
    const header = Buffer.alloc(2 + name.length + 4);
    header.writeUInt16BE(name.length, 0);
    name.copy(header, 2);
    header.writeUInt32BE(entry.blob.length, 2 + name.length);
    parts.push(header, entry.blob);
  }
  return Buffer.concat(parts);
}
