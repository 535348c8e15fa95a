// `amulet compose`: unseal keys into a temporary env file, run the compose engine with it, and
// remove the file whatever happens.

import { promises as fs, rmSync } from 'node:fs';
import { AmuletError } from '../vault/errors';
import { KeyRing, MachineIdSource } from '../vault/keys';
import { Vault } from '../vault/vault';
import { ComposeOptions, inspectComposeArguments } from './arguments';
import { checkPodmanMachine, detectEngine, Engine } from './engine';
import { encodeEnvFile, EnvFileEntry, EnvFileError, validateEnvName } from './env-file';
import { runEngine, SignalRelay } from './run';
import { chooseTemporaryBase, createTemporaryEnvFile, sweepStaleDirectories } from './temp-file';
import { checkUserEnvFiles, joinEnvFile, readUserEnvFiles } from './user-env-files';

/** Subcommands that need no secret values: keys are set to empty and no passphrase is asked. */
export const SECRET_FREE_SUBCOMMANDS = new Set([
  'down',
  'ps',
  'logs',
  'stop',
  'kill',
  'rm',
  'top',
  'images',
  'pause',
  'unpause',
  'events',
  'port',
  'ls',
  'version',
]);

const CONFIG_SUBCOMMANDS = new Set(['config', 'convert']);
const MASK = '********';

export interface ComposeDependencies {
  /** Returns the passphrase; called only when secrets must be unsealed. */
  readPassphrase(): Promise<Buffer>;
  machineId: MachineIdSource;
  /** Diagnostics for stderr, one line each, without the `amulet:` prefix. */
  log(message: string): void;
  /** Writes data to stdout. */
  writeStdout(data: Buffer | string): Promise<void>;
}

function envFileError(error: unknown): never {
  if (error instanceof EnvFileError) {
    throw new AmuletError('EENVVALUE', error.message, {
      hint: 'rename the key (letters, digits and _), or remove the bytes the engine cannot carry',
    });
  }
  throw error;
}

/** Reads key names from a manifest: one per line; blank lines and `#` comments are skipped. */
export async function readManifest(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    throw new AmuletError('EMANIFEST', `cannot read manifest ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, {
      hint: 'check the path given with --manifest',
    });
  }
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

async function selectKeys(options: ComposeOptions, vault: Vault): Promise<string[]> {
  const requested = [...options.keys];
  if (options.manifest !== undefined) {
    requested.push(...(await readManifest(options.manifest)));
  }
  const names = requested.length > 0 ? [...new Set(requested)] : vault.names();
  for (const name of names) {
    vault.entry(name);
    try {
      validateEnvName(name);
    } catch (error) {
      envFileError(error);
    }
  }
  return names;
}

/** Quotes an argument for display in a POSIX shell. */
function shellQuote(argument: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, `'\\''`)}'`;
}

/** Environment for compose: amulet's own, minus every name the env file sets from the vault. */
function childEnvironment(names: readonly string[], log: (message: string) => void): NodeJS.ProcessEnv {
  const env = { ...process.env };
  const shadowing = names.filter((name) => env[name] !== undefined);
  for (const name of names) {
    delete env[name];
  }
  if (shadowing.length > 0) {
    log(
      `removed ${shadowing.join(', ')} from the environment of compose, which would otherwise ` +
        'take precedence over the vault',
    );
  }
  return env;
}

/** Runs one `amulet compose` invocation. Resolves to the exit code to use. */
export async function runCompose(
  options: ComposeOptions,
  composeArgs: readonly string[],
  dependencies: ComposeDependencies,
  relay: SignalRelay,
): Promise<number> {
  const cwd = process.cwd();
  const commandLine = inspectComposeArguments(composeArgs);
  const verbose = (message: string) => {
    if (options.verbose) {
      dependencies.log(message);
    }
  };

  const vault = await Vault.openExisting(options.vault);
  const names = await selectKeys(options, vault);
  const secretFree = commandLine.subcommand !== undefined && SECRET_FREE_SUBCOMMANDS.has(commandLine.subcommand);
  const needsSecrets = !secretFree && (!options.dryRun || options.check);

  // The engine probe runs while Argon2id derives keys.
  const enginePromise = detectEngine(options.engine);
  enginePromise.catch(() => undefined);

  let values = new Map<string, Buffer>();
  try {
    if (needsSecrets && names.length > 0) {
      const passphrase = await dependencies.readPassphrase();
      const keyRing = new KeyRing(passphrase, dependencies.machineId);
      try {
        values = await vault.unseal(names, { passphrase, machineId: dependencies.machineId, keyRing });
        verbose(`unsealed ${names.length} key(s) with ${keyRing.derivations} key derivation(s)`);
      } finally {
        passphrase.fill(0);
        await keyRing.dispose();
      }
    } else if (secretFree) {
      verbose(`"${commandLine.subcommand}" needs no secrets: the keys are set to empty`);
    }
    relay.throwIfInterrupted();

    const userFiles = await readUserEnvFiles(commandLine.envFiles, commandLine.composeFiles, commandLine.projectDirectory, cwd);
    for (const file of userFiles) {
      verbose(`keeping the variables of ${file.path}; vault keys take precedence`);
    }

    if (options.dryRun) {
      // A dry run also works where no engine is installed, to show what would run.
      const engine = await enginePromise.catch((error: unknown) => {
        if (error instanceof AmuletError && error.code === 'ENOENGINE') {
          return error;
        }
        throw error;
      });
      if (!(engine instanceof AmuletError)) {
        encodeEntries(names, values, engine).fill(0);
      }
      await printDryRun(engine, commandLine.argsWithoutEnvFiles, names, userFiles, dependencies, { checked: options.check, empty: secretFree });
      return 0;
    }

    const engine: Engine = await enginePromise;
    verbose(`engine: ${engine.name} (${engine.reason}); env file dialect: ${engine.dialect}`);
    checkUserEnvFiles(userFiles, engine.dialect);
    const encoded = encodeEntries(names, values, engine);

    await checkPodmanMachine(engine);
    const data = joinEnvFile(userFiles, encoded);
    encoded.fill(0);
    return await runWithEnvFile(engine, commandLine.argsWithoutEnvFiles, data, names, values, {
      options,
      dependencies,
      relay,
      captureConfig: commandLine.subcommand !== undefined && CONFIG_SUBCOMMANDS.has(commandLine.subcommand) && !options.reveal,
      verbose,
    });
  } finally {
    for (const value of values.values()) {
      value.fill(0);
    }
  }
}

/** Encodes the unsealed values (or empty values) in the engine's dialect; rejects what it cannot carry. */
function encodeEntries(names: readonly string[], values: ReadonlyMap<string, Buffer>, engine: Engine): Buffer {
  const entries: EnvFileEntry[] = names.map((name) => ({ name, value: values.get(name) ?? Buffer.alloc(0) }));
  try {
    return encodeEnvFile(entries, engine.dialect);
  } catch (error) {
    envFileError(error);
  }
}

async function printDryRun(
  engine: Engine | AmuletError,
  args: readonly string[],
  names: readonly string[],
  userFiles: ReadonlyArray<{ path: string }>,
  dependencies: ComposeDependencies,
  shown: { checked: boolean; empty: boolean },
): Promise<void> {
  const found = !(engine instanceof AmuletError);
  const prefix = found ? [engine.command, ...engine.prefixArgs].map(shellQuote) : ['<compose engine>'];
  const command = [...prefix, '--env-file', '<temporary env file>', ...args.map(shellQuote)].join(' ');
  const lines = [
    found ? `engine: ${engine.name} (${engine.reason})` : `engine: none found (${engine.message})`,
    `env file dialect: ${found ? engine.dialect : 'unknown until an engine is installed'}`,
    `command: ${command}`,
    ...userFiles.map((file) => `env file includes: ${file.path}`),
    shown.empty
      ? 'env file (every key set to empty, because this command needs no secret):'
      : `env file (values masked${shown.checked ? ', every key checked' : ''}):`,
    ...names.map((name) => (shown.empty ? `${name}=` : `${name}=${MASK}`)),
    'nothing was run (--dry-run)',
  ];
  await dependencies.writeStdout(`${lines.join('\n')}\n`);
}

async function runWithEnvFile(
  engine: Engine,
  args: readonly string[],
  data: Buffer,
  names: readonly string[],
  values: ReadonlyMap<string, Buffer>,
  context: {
    options: ComposeOptions;
    dependencies: ComposeDependencies;
    relay: SignalRelay;
    captureConfig: boolean;
    verbose: (message: string) => void;
  },
): Promise<number> {
  context.relay.arm();
  const base = await chooseTemporaryBase(context.options.tmpdir);
  const swept = await sweepStaleDirectories(base);
  for (const path of swept) {
    context.dependencies.log(`removed ${path}, left behind by an amulet process that no longer runs`);
  }

  const envFile = await createTemporaryEnvFile(base, data);
  data.fill(0);
  // Last resort if the process exits without reaching the finally below.
  const removeOnExit = () => {
    rmSync(envFile.directory, { recursive: true, force: true });
  };
  process.once('exit', removeOnExit);

  try {
    context.verbose(`env file: ${envFile.path}`);
    context.relay.throwIfInterrupted();

    const env = childEnvironment(names, context.dependencies.log);
    const fullArgs = [...engine.prefixArgs, '--env-file', envFile.path, ...args];
    const result = await runEngine(engine.command, fullArgs, env, context.relay, {
      captureStdout: context.captureConfig,
    });

    if (result.stdout !== undefined) {
      // Loaded only here: the YAML parser costs about 40 ms to load, before the KDF otherwise.
      const { maskConfigOutput } = await import('./mask');
      const secrets = [...values.values()];
      await context.dependencies.writeStdout(maskConfigOutput(result.stdout.toString('utf8'), secrets, { mask: MASK }));
      result.stdout.fill(0);
    }
    return result.exitCode;
  } finally {
    await envFile.remove();
    process.off('exit', removeOnExit);
  }
}
