import type { CommandModule } from 'yargs';
import type { GlobalArguments } from '../options';

export const initCommand: CommandModule<GlobalArguments, GlobalArguments> = {
  command: 'init',
  describe: 'Create an empty vault file (mode 0600)',
  handler: async (args) => {
    const { createVaultFile } = await import('../../vault/storage');
    const { printInfo } = await import('../output');
    await createVaultFile(args.file);
    printInfo(`created empty vault ${args.file}`);
  },
};
