// A second reader of the v1 vault format, written from the format description alone and sharing
// no code with src/vault, so that a test can show our files open outside our own parser.

import { createDecipheriv } from 'node:crypto';
import * as argon2 from 'argon2';

export interface IndependentEntry {
  key: string;
  portable: boolean;
  value: Buffer | null;
}

export async function readVaultIndependently(
  file: Buffer,
  passphrase: string,
  machineId: string | null,
): Promise<IndependentEntry[]> {
  const result: IndependentEntry[] = [];
  let at = 0;
  while (at < file.length) {
    const keyLength = file.readUInt16BE(at);
    const key = file.subarray(at + 2, at + 2 + keyLength).toString('utf8');
    at += 2 + keyLength;
    const blobLength = file.readUInt32BE(at);
    const blob = file.subarray(at + 4, at + 4 + blobLength);
    at += 4 + blobLength;

    const portable = (blob[1] & 1) === 1;
    const salt = blob.subarray(2, 18);
    const nonce = blob.subarray(18, 30);
    const ciphertextLength = blob.readUInt32BE(30);
    const ciphertext = blob.subarray(34, 34 + ciphertextLength);
    const tag = blob.subarray(34 + ciphertextLength, 50 + ciphertextLength);

    const secretInput =
      portable || machineId === null
        ? Buffer.from(passphrase, 'utf8')
        : Buffer.from(`${passphrase}\u0000${machineId}`, 'utf8');
    const key32 = await argon2.hash(secretInput, {
      type: argon2.argon2id,
      memoryCost: 65536,
      timeCost: 3,
      parallelism: 1,
      hashLength: 32,
      salt,
      raw: true,
    });

    const decipher = createDecipheriv('chacha20-poly1305', key32, nonce, { authTagLength: 16 });
    decipher.setAAD(Buffer.from([blob[0]]), { plaintextLength: ciphertext.length });
    decipher.setAuthTag(tag);
    let value: Buffer | null;
    try {
      value = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      value = null;
    }
    result.push({ key, portable, value });
  }
  return result;
}
