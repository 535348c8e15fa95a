import type { CommandModule } from 'yargs';
import type { GlobalArguments } from '../options';

export const resealCommand: CommandModule<GlobalArguments, GlobalArguments> = {
  command: 're-seal',
  describe: 'Re-encrypt entries under a new passphrase',
  handler: () => undefined,
};
