import type { Argv, CommandModule } from 'yargs';
import type { PassphraseCommandArguments } from '../options';
import { passphraseOptions } from '../options';

interface SealArguments extends PassphraseCommandArguments {
  key: string;
  portable: boolean;
}

export const sealCommand: CommandModule<PassphraseCommandArguments, SealArguments> = {
  command: 'seal <key>',
  describe: 'Encrypt the secret read from stdin into the vault under KEY',
  builder: (yargs: Argv<PassphraseCommandArguments>) =>
    yargs
      .positional('key', { type: 'string', demandOption: true, describe: 'key name, for example DB_PASSWORD' })
      .option('portable', {
        type: 'boolean',
        default: false,
        describe: 'seal with the passphrase alone, so the entry opens on any machine (CI, containers)',
      })
      .options(passphraseOptions),
  handler: async (args) => {
    const { runSeal } = await import('./seal-action');
    await runSeal(args);
  },
};

export type { SealArguments };
