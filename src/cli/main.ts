// Entry point of the `amulet` command: parses arguments, runs one command, prints errors and
// sets the exit code. Only this file decides the exit status; inner code throws.

import yargs from 'yargs/yargs';
import { AmuletError, ExitCode, usageError } from '../vault/errors';
import { DEFAULT_VAULT_PATH, vaultOption } from './options';
import { initCommand } from './commands/init';
import { sealCommand } from './commands/seal';
import { unsealCommand, verifyCommand } from './commands/unseal';
import { deleteCommand, listCommand, probeCommand, renameCommand } from './commands/manage';
import { importCommand } from './commands/import';
import { resealCommand } from './commands/re-seal';
import { composeHelpCommand } from './commands/compose';
import { readPackageVersion } from './version';

/** Prints an error to stderr as `amulet: error: ...` with its hint, and returns its exit code. */
export function reportError(error: unknown): number {
  if (error instanceof AmuletError) {
    process.stderr.write(`amulet: error: ${error.message}\n`);
    if (error.hint !== undefined) {
      process.stderr.write(`amulet: hint: ${error.hint}\n`);
    }
    return error.exitCode;
  }

  // Unexpected errors show their message only; AMULET_DEBUG=1 adds the stack.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`amulet: error: ${message}\n`);
  if (process.env.AMULET_DEBUG === '1' && error instanceof Error && error.stack !== undefined) {
    process.stderr.write(`${error.stack}\n`);
  }
  return ExitCode.failure;
}

function buildParser(argv: string[]) {
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
      throw usageError(message, 'run "amulet --help" for the list of commands and options');
    });
  return parser;
}

/** Runs the CLI with `argv` (without node and script path). Resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    if (argv[0] === 'compose') {
      const { runComposeCommand } = await import('./commands/compose-action');
      return await runComposeCommand(argv.slice(1));
    }
    await buildParser(argv).parseAsync();
    return ExitCode.ok;
  } catch (error) {
    return reportError(error);
  }
}
