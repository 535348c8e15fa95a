// A parser for the plain forms of `unseal` and `verify` that skips yargs, which costs about half
// of amulet's start-up (measured 45 ms of 110 ms on a 2-core VM). The KDF cannot start before the
// arguments are parsed, so this time adds directly to every `amulet unseal` in a script.
// Anything it does not recognize falls back to yargs, which then parses and reports errors.

import type { UnsealArguments } from './commands/unseal';
import { DEFAULT_VAULT_PATH } from './options';

const VALUE_OPTIONS = new Map<string, keyof UnsealArguments>([
  ['--file', 'file'],
  ['--vault', 'file'],
  ['--passphrase-file', 'passphraseFile'],
  ['--passphrase-fd', 'passphraseFd'],
]);

/** Returns the parsed arguments of `unseal` or `verify`, or null to let yargs handle `argv`. */
export function parseUnsealFastPath(argv: readonly string[]): { command: 'unseal' | 'verify'; args: UnsealArguments } | null {
  const command = argv[0];
  if (command !== 'unseal' && command !== 'verify') {
    return null;
  }

  const args: UnsealArguments = { file: DEFAULT_VAULT_PATH, key: '', tty: false };
  let key: string | undefined;
  for (let index = 1; index < argv.length; index += 1) {
    const argument = argv[index];
    if (argument === '--tty') {
      args.tty = true;
      continue;
    }
    const option = VALUE_OPTIONS.get(argument);
    if (option !== undefined) {
      const value = argv[index + 1];
      if (value === undefined || value.startsWith('-')) {
        return null;
      }
      index += 1;
      if (option === 'passphraseFd') {
        if (!/^\d+$/.test(value) || args.passphraseFd !== undefined) {
          return null;
        }
        args.passphraseFd = Number(value);
      } else if (option === 'passphraseFile') {
        if (args.passphraseFile !== undefined) {
          return null;
        }
        args.passphraseFile = value;
      } else {
        args.file = value;
      }
      continue;
    }
    if (argument.startsWith('-') || key !== undefined) {
      return null;
    }
    key = argument;
  }

  if (key === undefined) {
    return null;
  }
  args.key = key;
  return { command, args };
}
