import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(__dirname, '..', '..', 'fixtures');

export interface VectorEntry {
  key: string;
  mode: 'locked' | 'portable';
  hex: string;
}

export interface VectorVault {
  file: string;
  passphrase: string;
  machineId: string | null;
  entries: VectorEntry[];
}

/** Loads the vault files in fixtures/vectors with their passphrases and expected plaintexts. */
export function loadVectors(): VectorVault[] {
  const directory = join(FIXTURES, 'vectors');
  const expected = JSON.parse(readFileSync(join(directory, 'expected.json'), 'utf8')) as {
    vaults: Record<string, Omit<VectorVault, 'file'>>;
  };
  return Object.entries(expected.vaults).map(([name, vault]) => ({ file: join(directory, name), ...vault }));
}
