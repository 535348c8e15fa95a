import type { Argv, CommandModule } from 'yargs';
import type { PassphraseCommandArguments } from '../options';
import { passphraseOptions } from '../options';

export interface ResealArguments extends PassphraseCommandArguments {
  key?: string;
  all: boolean;
  newPassphraseFile?: string;
  newPassphraseFd?: number;
}

export const resealCommand: CommandModule<PassphraseCommandArguments, ResealArguments> = {
  command: 're-seal [key]',
  describe: 'Re-encrypt KEY, or every entry with --all, under a new passphrase; each entry keeps its mode',
  builder: (yargs: Argv<PassphraseCommandArguments>) =>
    yargs
      .positional('key', { type: 'string', describe: 'key name' })
      .option('all', {
        type: 'boolean',
        default: false,
        describe: 're-seal every entry that opens with the current passphrase, in one write',
      })
      .options(passphraseOptions)
      .option('new-passphrase-file', {
        type: 'string',
        describe: 'read the new passphrase from the first line of this file',
      })
      .option('new-passphrase-fd', {
        type: 'number',
        describe: 'read the new passphrase from the first line of this open file descriptor',
      }) as unknown as Argv<ResealArguments>,
  handler: async (args) => {
    const { runReseal } = await import('./re-seal-action');
    await runReseal(args);
  },
};
