import type { CommandModule } from 'yargs';
import type { GlobalArguments } from '../options';

export const importCommand: CommandModule<GlobalArguments, GlobalArguments> = {
  command: 'import',
  describe: 'Seal every variable of a .env file',
  handler: () => undefined,
};
