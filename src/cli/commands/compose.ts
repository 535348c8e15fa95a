import type { CommandModule } from 'yargs';
import type { GlobalArguments } from '../options';

/**
 * Lists `compose` in the help. The command itself never goes through yargs: main.ts hands its
 * arguments to compose-action.ts, because everything after amulet's own options belongs to compose.
 */
export const composeHelpCommand: CommandModule<GlobalArguments, GlobalArguments> = {
  command: 'compose [options] [--] <compose arguments...>',
  describe: 'Run docker compose / podman compose with unsealed keys in a temporary env file',
  handler: () => undefined,
};
