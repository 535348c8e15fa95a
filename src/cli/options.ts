import type { PassphraseArguments } from './passphrase';

/** Arguments every command receives from the global options. */
export interface GlobalArguments {
  file: string;
}

export type PassphraseCommandArguments = GlobalArguments & PassphraseArguments;

export const DEFAULT_VAULT_PATH = 'amulet.vault';

export const vaultOption = {
  alias: 'vault',
  type: 'string',
  default: DEFAULT_VAULT_PATH,
  describe: 'path of the vault file',
  requiresArg: true,
} as const;

/** Options shared by every command that takes a passphrase. */
export const passphraseOptions = {
  'passphrase-file': {
    type: 'string',
    describe: 'read the passphrase from the first line of this file',
  },
  'passphrase-fd': {
    type: 'number',
    describe: 'read the passphrase from the first line of this open file descriptor',
  },
} as const;
