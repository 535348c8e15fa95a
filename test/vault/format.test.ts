import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BLOB_OVERHEAD,
  decodeBlob,
  MAX_BLOB_BYTES,
  parseVault,
  serializeVault,
  VaultFormatError,
} from '../../src/vault';
import { FIXTURES } from '../support/vectors';

const portableVault = readFileSync(join(FIXTURES, 'vectors', 'portable.vault'));

function formatError(data: Buffer): VaultFormatError {
  try {
    parseVault(data, 'test.vault');
  } catch (error) {
    expect(error).toBeInstanceOf(VaultFormatError);
    return error as VaultFormatError;
  }
  throw new Error('parseVault accepted a corrupt vault');
}

/** First entry of portable.vault: "OPENAI_API_KEY" (14 bytes), so the blob starts at 2+14+4. */
const firstBlobStart = 2 + 14 + 4;

function withByte(offset: number, value: number): Buffer {
  const copy = Buffer.from(portableVault);
  copy[offset] = value;
  return copy;
}

function withUInt32(offset: number, value: number): Buffer {
  const copy = Buffer.from(portableVault);
  copy.writeUInt32BE(value, offset);
  return copy;
}

describe('parseVault', () => {
  test('empty file is an empty vault', () => {
    expect(parseVault(Buffer.alloc(0))).toEqual([]);
  });

  test('vector vault parses into its five entries', () => {
    const names = parseVault(portableVault).map((entry) => entry.name);
    expect(names).toEqual(['OPENAI_API_KEY', 'TLS_KEY', 'EMPTY', 'UNICODE', 'DOLLARS']);
  });

  test('serialize after parse gives the same bytes', () => {
    expect(serializeVault(parseVault(portableVault)).equals(portableVault)).toBe(true);
  });

  test('blob fields decode at their offsets', () => {
    const blob = decodeBlob(parseVault(portableVault)[0].blob);
    expect(blob.version).toBe(1);
    expect(blob.portable).toBe(true);
    expect(blob.salt).toHaveLength(16);
    expect(blob.nonce).toHaveLength(12);
    expect(blob.tag).toHaveLength(16);
    expect(blob.ciphertext).toHaveLength(38);
  });

  test('truncation at every offset is rejected', () => {
    const entryEnds = new Set<number>();
    let offset = 0;
    for (const entry of parseVault(portableVault)) {
      offset += 2 + Buffer.byteLength(entry.name) + 4 + entry.blob.length;
      entryEnds.add(offset);
    }

    for (let length = 1; length < portableVault.length; length += 1) {
      if (entryEnds.has(length)) {
        // Cutting between two entries leaves a valid, shorter vault.
        expect(() => parseVault(portableVault.subarray(0, length))).not.toThrow();
        continue;
      }
      const error = formatError(portableVault.subarray(0, length));
      expect(error.code).toBe('ETRUNCATED');
      expect(error.offset).toBeLessThanOrEqual(length);
    }
  });

  const corruptCases: Array<{ name: string; data: () => Buffer; code: string; message: RegExp }> = [
    { name: 'zero key length', data: () => Buffer.from([0, 0]), code: 'EKEYLENGTH', message: /key length is 0/ },
    {
      name: 'key length over 255',
      data: () => Buffer.from([0x01, 0x00]),
      code: 'EKEYLENGTH',
      message: /key length 256 exceeds the maximum of 255/,
    },
    {
      name: 'bad version',
      data: () => withByte(firstBlobStart, 0x02),
      code: 'EVERSION',
      message: /unsupported version 0x02/,
    },
    {
      name: 'unknown flags',
      data: () => withByte(firstBlobStart + 1, 0x03),
      code: 'EFLAGS',
      message: /unknown flags 0x03/,
    },
    {
      name: 'huge blob length',
      data: () => withUInt32(firstBlobStart - 4, 0xffffffff),
      code: 'EBLOBLENGTH',
      message: new RegExp(`blob length 4294967295 of "OPENAI_API_KEY" exceeds the maximum of ${MAX_BLOB_BYTES}`),
    },
    {
      name: 'blob shorter than its header',
      data: () => withUInt32(firstBlobStart - 4, BLOB_OVERHEAD - 1),
      code: 'EBLOBLENGTH',
      message: /is below the minimum/,
    },
    {
      name: 'huge ciphertext length',
      data: () => withUInt32(firstBlobStart + 30, 0x7fffffff),
      code: 'EVALUELENGTH',
      message: /ciphertext length 2147483647 exceeds the maximum of 65536/,
    },
    {
      name: 'ciphertext length off by one',
      data: () => withUInt32(firstBlobStart + 30, 39),
      code: 'EBLOBLENGTH',
      message: /ciphertext length 39 does not match blob length/,
    },
    {
      name: 'key name not UTF-8',
      data: () => withByte(2, 0xff),
      code: 'EKEYNAME',
      message: /not valid UTF-8/,
    },
    {
      name: 'duplicate key',
      data: () => {
        const first = parseVault(portableVault)[0];
        return serializeVault([first, first]);
      },
      code: 'EDUPLICATE',
      message: /key "OPENAI_API_KEY" appears twice/,
    },
  ];

  test.each(corruptCases)('$name is rejected', ({ data, code, message }) => {
    const error = formatError(data());
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/entry \d+, byte offset \d+/);
    expect(error.message).toContain('test.vault');
  });

  test('error in a later entry names its index', () => {
    const entries = parseVault(portableVault);
    const secondBlobStart = 2 + 14 + 4 + entries[0].blob.length + 2 + 7 + 4;
    const error = formatError(withByte(secondBlobStart, 0x09));
    expect(error.entryIndex).toBe(1);
    expect(error.offset).toBe(secondBlobStart);
  });
});
