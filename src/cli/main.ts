// Entry point of the `amulet` command: parses arguments, runs one command, prints errors and
// sets the exit code. Only this file decides the exit status; inner code throws. Modules are
// loaded on demand, so that the plain unseal path and compose start without yargs.

import { AmuletError, ExitCode } from '../vault/errors';
import { parseUnsealFastPath } from './fast-path';

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

/** Runs the CLI with `argv` (without node and script path). Resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const fast = parseUnsealFastPath(argv);
    if (fast !== null) {
      const { runUnseal } = await import('./commands/unseal-action');
      await runUnseal(fast.args, { print: fast.command === 'unseal' });
      return ExitCode.ok;
    }
    if (argv[0] === 'compose') {
      const { runComposeCommand } = await import('./commands/compose-action');
      return await runComposeCommand(argv.slice(1));
    }
    const { buildParser } = await import('./parser');
    await buildParser(argv).parseAsync();
    return ExitCode.ok;
  } catch (error) {
    return reportError(error);
  }
}
