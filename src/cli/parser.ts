// The yargs definition of every command except compose, which main.ts routes itself.

import yargs from 'yargs/yargs';
import { usageError } from '../vault/errors';
import { DEFAULT_VAULT_PATH, vaultOption } from './options';
import { initCommand } from './commands/init';
import { sealCommand } from './commands/seal';
import { unsealCommand, verifyCommand } from './commands/unseal';
import { deleteCommand, listCommand, probeCommand, renameCommand } from './commands/manage';
import { importCommand } from './commands/import';
import { resealCommand } from './commands/re-seal';
import { composeHelpCommand } from './commands/compose';
import { readPackageVersion } from './version';

/**
 * yargs lists an unknown option twice, as typed and in camelCase ("pasphrase-file, pasphraseFile");
 * this keeps the form the user typed.
 */
function withoutCamelCaseDuplicates(message: string): string {
  const match = /^(Unknown arguments?): (.*)$/.exec(message);
  if (match === null) {
    return message;
  }
  const names = match[2].split(', ');
  const kept = names.filter((name) => !(/[A-Z]/.test(name) && names.includes(name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`))));
  return `${kept.length === 1 ? 'Unknown argument' : 'Unknown arguments'}: ${kept.join(', ')}`;
}

export function buildParser(argv: string[]) {
  const parser = yargs(argv)
    .scriptName('amulet')
    .usage('Usage: $0 <command> [options]\n\nA secrets vault for Docker Compose stacks.')
    .option('file', vaultOption)
    .command(initCommand)
    .command(sealCommand)
    .command(unsealCommand)
    .command(verifyCommand)
    .command(listCommand)
    .command(deleteCommand)
    .command(renameCommand)
    .command(importCommand)
    .command(resealCommand)
    .command(composeHelpCommand)
    .command(probeCommand)
    .command('version', 'Print the version of amulet', {}, () => {
      process.stdout.write(`${readPackageVersion()}\n`);
    })
    .command('help', 'Show this help', {}, () => {
      parser.showHelp('log');
    })
    .demandCommand(1, 'missing command')
    .recommendCommands()
    .strict()
    .help()
    .alias('h', 'help')
    .version(readPackageVersion())
    .epilogue(`The vault file defaults to ./${DEFAULT_VAULT_PATH}. Exit status: 0 success, 1 failure, 2 usage error.`)
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((message, error) => {
      if (error !== undefined && error !== null) {
        throw error;
      }
      throw usageError(withoutCamelCaseDuplicates(message), 'run "amulet --help", or "amulet COMMAND --help" for the options of a command');
    });
  return parser;
}
