import type { Argv, CommandModule } from 'yargs';
import type { PassphraseCommandArguments } from '../options';
import { passphraseOptions } from '../options';

export interface ImportArguments extends PassphraseCommandArguments {
  envFile: string;
  portable: boolean;
  manifest?: string;
  wipe: boolean;
  wipeComment: boolean;
  skipInvalid: boolean;
}

export const importCommand: CommandModule<PassphraseCommandArguments, ImportArguments> = {
  command: 'import',
  describe: 'Seal every variable of a .env file under one passphrase, in one write',
  builder: (yargs: Argv<PassphraseCommandArguments>) =>
    yargs
      .option('env-file', {
        type: 'string',
        demandOption: true,
        requiresArg: true,
        describe: 'the .env file to read (dotenv syntax)',
      })
      .option('portable', {
        type: 'boolean',
        default: false,
        describe: 'seal with the passphrase alone, so the entries open on any machine (CI, containers)',
      })
      .option('manifest', {
        type: 'string',
        requiresArg: true,
        describe: 'write the imported key names to this file, one per line (the file is truncated)',
      })
      .option('wipe', {
        type: 'boolean',
        default: false,
        describe: 'after sealing, overwrite each imported value in the .env file with spaces of the same byte length',
      })
      .option('wipe-comment', {
        type: 'boolean',
        default: false,
        describe: 'with --wipe: append a comment line saying the values were wiped (once)',
      })
      .option('skip-invalid', {
        type: 'boolean',
        default: false,
        describe: 'import the valid lines when some lines are invalid, instead of importing nothing',
      })
      .options(passphraseOptions) as unknown as Argv<ImportArguments>,
  handler: async (args) => {
    const { runImport } = await import('./import-action');
    await runImport(args);
  },
};
