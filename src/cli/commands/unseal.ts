import type { Argv, CommandModule } from 'yargs';
import type { PassphraseCommandArguments } from '../options';
import { passphraseOptions } from '../options';

export interface UnsealArguments extends PassphraseCommandArguments {
  key: string;
  tty: boolean;
}

function unsealBuilder(yargs: Argv<PassphraseCommandArguments>): Argv<UnsealArguments> {
  return yargs
    .positional('key', { type: 'string', demandOption: true, describe: 'key name' })
    .option('tty', {
      type: 'boolean',
      default: false,
      describe: 'ask for the passphrase on the terminal instead of reading the first line of stdin',
    })
    .options(passphraseOptions) as unknown as Argv<UnsealArguments>;
}

export const unsealCommand: CommandModule<PassphraseCommandArguments, UnsealArguments> = {
  command: 'unseal <key>',
  describe: 'Print the secret of KEY to stdout, exactly as sealed (no trailing newline)',
  builder: unsealBuilder,
  handler: async (args) => {
    const { runUnseal } = await import('./unseal-action');
    await runUnseal(args, { print: true });
  },
};

export const verifyCommand: CommandModule<PassphraseCommandArguments, UnsealArguments> = {
  command: 'verify <key>',
  describe: 'Check that KEY opens with the passphrase; prints nothing on success',
  builder: unsealBuilder,
  handler: async (args) => {
    const { runUnseal } = await import('./unseal-action');
    await runUnseal(args, { print: false });
  },
};
