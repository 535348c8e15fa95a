import { decodeBlob, parseVault, serializeVault, VaultFormatError } from '../../src/vault';
import { corruptCases, portableVault, withByte } from '../support/corrupt-vaults';

function formatError(data: Buffer): VaultFormatError {
  try {
    parseVault(data, 'test.vault');
  } catch (error) {
    expect(error).toBeInstanceOf(VaultFormatError);
    return error as VaultFormatError;
  }
  throw new Error('parseVault accepted a corrupt vault');
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
