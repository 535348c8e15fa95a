// Splits `amulet compose` arguments into amulet's options and the compose command line, and
// finds the parts of the compose command line that amulet must understand.

import { usageError } from '../vault/errors';

export type EngineChoice = 'auto' | 'docker' | 'docker-compose' | 'podman' | 'podman-compose';
export const ENGINE_CHOICES: readonly EngineChoice[] = ['auto', 'docker', 'docker-compose', 'podman', 'podman-compose'];

export interface ComposeOptions {
  vault: string;
  keys: string[];
  manifest?: string;
  engine?: EngineChoice;
  tmpdir?: string;
  passphraseFile?: string;
  passphraseFd?: number;
  tty: boolean;
  verbose: boolean;
  reveal: boolean;
  dryRun: boolean;
  check: boolean;
  help: boolean;
}

export interface ParsedComposeArguments {
  options: ComposeOptions;
  /** Everything from the first argument amulet does not own, unchanged. */
  composeArgs: string[];
}

const VALUE_OPTIONS = new Set([
  '--vault',
  '--file',
  '--key',
  '--manifest',
  '--engine',
  '--tmpdir',
  '--passphrase-file',
  '--passphrase-fd',
]);
const BOOLEAN_OPTIONS = new Set(['--tty', '--verbose', '--reveal', '--dry-run', '--check', '--help']);

function setValue(options: ComposeOptions, name: string, value: string): void {
  switch (name) {
    case '--vault':
    case '--file':
      options.vault = value;
      break;
    case '--key':
      options.keys.push(...value.split(',').map((key) => key.trim()).filter((key) => key !== ''));
      break;
    case '--manifest':
      options.manifest = value;
      break;
    case '--engine':
      if (!(ENGINE_CHOICES as readonly string[]).includes(value)) {
        throw usageError(`invalid --engine "${value}"`, `choose one of: ${ENGINE_CHOICES.join(', ')}`);
      }
      options.engine = value as EngineChoice;
      break;
    case '--tmpdir':
      options.tmpdir = value;
      break;
    case '--passphrase-file':
      options.passphraseFile = value;
      break;
    case '--passphrase-fd': {
      const fd = Number(value);
      if (!Number.isInteger(fd) || fd < 0) {
        throw usageError(`invalid --passphrase-fd "${value}": expected a file descriptor number`);
      }
      options.passphraseFd = fd;
      break;
    }
  }
}

function setFlag(options: ComposeOptions, name: string): void {
  switch (name) {
    case '--tty':
      options.tty = true;
      break;
    case '--verbose':
      options.verbose = true;
      break;
    case '--reveal':
      options.reveal = true;
      break;
    case '--dry-run':
      options.dryRun = true;
      break;
    case '--check':
      options.check = true;
      break;
    case '--help':
      options.help = true;
      break;
  }
}

/**
 * Parses `amulet compose` arguments. amulet's options come first; the first argument that is not
 * one of them, or everything after `--`, is the compose command line. So `-f`, `-p` and
 * `--profile` reach compose unchanged, while `--file` (long form only) names the vault.
 */
export function parseComposeArguments(argv: readonly string[], defaultVault: string): ParsedComposeArguments {
  const options: ComposeOptions = {
    vault: defaultVault,
    keys: [],
    tty: false,
    verbose: false,
    reveal: false,
    dryRun: false,
    check: false,
    help: false,
  };

  let index = 0;
  while (index < argv.length) {
    const argument = argv[index];
    if (argument === '--') {
      index += 1;
      break;
    }
    if (argument === '-h') {
      options.help = true;
      index += 1;
      continue;
    }

    const equals = argument.indexOf('=');
    const name = argument.startsWith('--') && equals > 0 ? argument.slice(0, equals) : argument;
    if (VALUE_OPTIONS.has(name)) {
      let value: string | undefined;
      if (name !== argument) {
        value = argument.slice(equals + 1);
        index += 1;
      } else {
        value = argv[index + 1];
        index += 2;
      }
      if (value === undefined) {
        throw usageError(`option ${name} needs a value`);
      }
      setValue(options, name, value);
      continue;
    }
    if (BOOLEAN_OPTIONS.has(argument)) {
      setFlag(options, argument);
      index += 1;
      continue;
    }
    break;
  }

  if (options.passphraseFile !== undefined && options.passphraseFd !== undefined) {
    throw usageError('--passphrase-file and --passphrase-fd cannot be used together', 'give only one of them');
  }
  if (options.check && !options.dryRun) {
    throw usageError('--check works only with --dry-run', 'add --dry-run, or drop --check: a real run checks every key anyway');
  }
  return { options, composeArgs: argv.slice(index) };
}

/** Global compose options that take a value as the next argument, across the engines. */
const COMPOSE_GLOBAL_VALUE_OPTIONS = new Set([
  '-f',
  '--file',
  '-p',
  '--project-name',
  '--profile',
  '--project-directory',
  '--env-file',
  '-c',
  '--context',
  '-H',
  '--host',
  '--ansi',
  '--progress',
  '--parallel',
  '--log-level',
  '--tlscacert',
  '--tlscert',
  '--tlskey',
  '--podman-path',
  '--podman-args',
  '--podman-pull-args',
  '--podman-push-args',
  '--podman-build-args',
  '--podman-inspect-args',
  '--podman-run-args',
  '--podman-start-args',
  '--podman-stop-args',
  '--podman-rm-args',
  '--podman-volume-args',
  '--in-pod',
  '--pod-args',
]);

/** The parts of the compose command line that amulet reads. */
export interface ComposeCommandLine {
  /** The compose subcommand (`up`, `config`, ...), or undefined when there is none. */
  subcommand: string | undefined;
  /** Values of global `--env-file` options, in order, as given. */
  envFiles: string[];
  /** Values of global `-f`/`--file` options, in order, as given. */
  composeFiles: string[];
  projectDirectory: string | undefined;
  /** The arguments with every global `--env-file` removed. */
  argsWithoutEnvFiles: string[];
}

/** Finds the subcommand and the global options before it that change where env files come from. */
export function inspectComposeArguments(args: readonly string[]): ComposeCommandLine {
  const result: ComposeCommandLine = {
    subcommand: undefined,
    envFiles: [],
    composeFiles: [],
    projectDirectory: undefined,
    argsWithoutEnvFiles: [],
  };

  let index = 0;
  while (index < args.length) {
    const argument = args[index];
    if (!argument.startsWith('-') || argument === '-') {
      result.subcommand = argument;
      result.argsWithoutEnvFiles.push(...args.slice(index));
      return result;
    }

    const equals = argument.indexOf('=');
    const name = argument.startsWith('--') && equals > 0 ? argument.slice(0, equals) : argument;
    let value: string | undefined;
    let consumed = 1;
    if (COMPOSE_GLOBAL_VALUE_OPTIONS.has(name)) {
      if (name !== argument) {
        value = argument.slice(equals + 1);
      } else {
        value = args[index + 1];
        consumed = 2;
      }
    } else if (/^-[fp]./.test(argument)) {
      // Short options with the value attached: -fdocker-compose.yml.
      value = argument.slice(2);
    }

    const shortName = name.length > 2 && !name.startsWith('--') ? name.slice(0, 2) : name;
    if (name === '--env-file' && value !== undefined) {
      result.envFiles.push(value);
      index += consumed;
      continue;
    }
    if ((shortName === '-f' || name === '--file') && value !== undefined) {
      result.composeFiles.push(value);
    }
    if (name === '--project-directory' && value !== undefined) {
      result.projectDirectory = value;
    }
    result.argsWithoutEnvFiles.push(...args.slice(index, index + consumed));
    index += consumed;
  }
  return result;
}
