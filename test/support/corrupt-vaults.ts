// Corrupt variants of a valid vault, each with the error code and message parseVault must give.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BLOB_OVERHEAD, MAX_BLOB_BYTES, parseVault, serializeVault } from '../../src/vault';
import { FIXTURES } from './vectors';

export const portableVault = readFileSync(join(FIXTURES, 'vectors', 'portable.vault'));

/** First entry of portable.vault: "OPENAI_API_KEY" (14 bytes), so the blob starts at 2+14+4. */
const firstBlobStart = 2 + 14 + 4;

export function withByte(offset: number, value: number): Buffer {
  const copy = Buffer.from(portableVault);
  copy[offset] = value;
  return copy;
}

function withUInt32(offset: number, value: number): Buffer {
  const copy = Buffer.from(portableVault);
  copy.writeUInt32BE(value, offset);
  return copy;
}

export const corruptCases: Array<{ name: string; data: () => Buffer; code: string; message: RegExp }> = [
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

