import { isUtf8 } from 'node:buffer';
import { promises as fs } from 'node:fs';
import { parse as dotenvParse } from 'dotenv';
import { sealMany } from '../../index';
import { validateEnvName } from '../../compose/env-file';
import { EnvAssignment, parseEnvFile, ParsedEnvFile, wipeCommentSuffix, wipeRanges } from '../../import/env-parse';
import { InPlaceFile } from '../../import/in-place-file';
import { readMachineId } from '../../system/machine-id';
import { AmuletError, usageError } from '../../vault/errors';
import { MAX_VALUE_BYTES } from '../../vault/format';
import { missingMachineIdError } from '../../vault/keys';
import { validateKeyName, Vault } from '../../vault/vault';
import { assertVaultDirectoryWritable } from '../../vault/storage';
import { confirmTypedPassphrase } from '../confirm-passphrase';
import { printInfo, printWarning } from '../output';
import { readPassphrase } from '../passphrase';
import type { ImportArguments } from './import';

const MAX_LISTED_LINES = 20;

function listLines(lines: readonly number[]): string {
  const listed = lines.slice(0, MAX_LISTED_LINES).join(', ');
  return lines.length > MAX_LISTED_LINES ? `${listed} and ${lines.length - MAX_LISTED_LINES} more` : listed;
}

async function readEnvFile(path: string): Promise<Buffer> {
  try {
    return await fs.readFile(path);
  } catch (error) {
    throw new AmuletError('EENVFILE', `cannot read env file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, {
      hint: 'check the path given with --env-file',
    });
  }
}

/**
 * Checks that dotenv itself reads the same names and values as `parseEnvFile`, whose byte ranges
 * the wipe relies on. A difference is a bug in amulet's scanner, so nothing is imported.
 */
function checkAgainstDotenv(path: string, data: Buffer, parsed: ParsedEnvFile): void {
  const reference = new Map(Object.entries(dotenvParse(data)));
  const names = new Set([...reference.keys(), ...parsed.values.keys()]);
  for (const name of names) {
    if (reference.get(name) !== parsed.values.get(name)) {
      throw new AmuletError('EENVPARSE', `amulet and dotenv read variable "${name}" of ${path} differently; nothing was imported`, {
        hint: 'this is a bug in amulet: please report it with a file of made-up values that shows it',
      });
    }
  }
}

/** Parses the env file and checks every name and value before any passphrase is asked for. */
function parseForImport(path: string, data: Buffer, skipInvalid: boolean): ParsedEnvFile {
  if (!isUtf8(data)) {
    throw new AmuletError('EENVFILE', `env file ${path} is not valid UTF-8 text; nothing was imported`, {
      hint: 'convert the file to UTF-8',
    });
  }
  const parsed = parseEnvFile(data);

  if (parsed.invalidLines.length > 0) {
    const lines = listLines(parsed.invalidLines);
    if (!skipInvalid) {
      throw new AmuletError(
        'EENVSYNTAX',
        `invalid line(s) ${lines} in ${path}: not a variable assignment, a comment or a blank line; nothing was imported`,
        { hint: 'fix or remove those lines (dotenv would skip them), or pass --skip-invalid to import the other variables' },
      );
    }
    printWarning(`skipped invalid line(s) ${lines} of ${path}`);
  }
  checkAgainstDotenv(path, data, parsed);

  if (parsed.values.size === 0) {
    throw new AmuletError('EENVEMPTY', `no variables found in ${path}; nothing was imported`, {
      hint: 'the file should contain lines of the form NAME=value',
    });
  }

  const lineOf = new Map(parsed.assignments.map((assignment) => [assignment.name, assignment.line]));
  for (const [name, value] of parsed.values) {
    validateKeyName(name);
    const size = Buffer.byteLength(value, 'utf8');
    if (size > MAX_VALUE_BYTES) {
      throw new AmuletError(
        'EVALUESIZE',
        `value of "${name}" (line ${lineOf.get(name)} of ${path}) is ${size} bytes, the maximum is ${MAX_VALUE_BYTES}; nothing was imported`,
        { hint: 'store large files elsewhere and seal a key or path to them' },
      );
    }
  }
  return parsed;
}

async function writeManifest(path: string, names: readonly string[]): Promise<void> {
  try {
    await fs.writeFile(path, names.map((name) => `${name}\n`).join(''));
  } catch (error) {
    throw new AmuletError('EMANIFEST', `cannot write manifest ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, {
      hint: 'the variables are sealed in the vault; write the manifest again with "amulet list --vault VAULT > PATH"',
    });
  }
}

async function wipeEnvFile(file: InPlaceFile, parsed: ParsedEnvFile, withComment: boolean): Promise<void> {
  const assignments: EnvAssignment[] = parsed.assignments;
  const wiped = wipeRanges(file.data, assignments);
  const suffix = withComment ? wipeCommentSuffix(wiped, parsed.lineEnding) : null;
  await file.rewrite(wiped, suffix);

  printInfo(`overwrote ${assignments.length} value(s) in ${file.path} with spaces`);
  if (parsed.invalidLines.length > 0) {
    printWarning(`invalid line(s) ${listLines(parsed.invalidLines)} of ${file.path} were neither imported nor wiped`);
  }
  printWarning(
    'wiping is best-effort: on SSDs, on copy-on-write filesystems (btrfs, ZFS, APFS) and in backups or ' +
      'snapshots the old bytes can survive; rotate the secrets if that matters',
  );
}

export async function runImport(args: ImportArguments): Promise<void> {
  if (args.wipeComment && !args.wipe) {
    throw usageError('--wipe-comment needs --wipe', 'add --wipe, or leave out --wipe-comment');
  }

  // With --wipe, the file is opened for writing first, so that a file that cannot be rewritten
  // stops the import before anything is sealed.
  const file = args.wipe ? await InPlaceFile.open(args.envFile) : null;
  const data = file?.data ?? (await readEnvFile(args.envFile));
  const values = new Map<string, Buffer>();
  try {
    const parsed = parseForImport(args.envFile, data, args.skipInvalid);
    for (const name of parsed.values.keys()) {
      try {
        validateEnvName(name);
      } catch {
        printWarning(`"${name}" is not a valid compose variable name, so "amulet compose" cannot pass it on`);
      }
    }

    if (!args.portable && (await readMachineId()) === null) {
      throw missingMachineIdError('seal');
    }
    for (const [name, value] of parsed.values) {
      values.set(name, Buffer.from(value, 'utf8'));
    }

    const vault = await Vault.open(args.file);
    await assertVaultDirectoryWritable(args.file);
    const passphrase = await readPassphrase(args, { stdinLine: false });
    let result;
    try {
      if (args.portable) {
        printWarning('the variables are sealed Portable: a copy of the vault opens on any machine with the passphrase alone');
      }
      result = await sealMany(vault, values, {
        passphrase: passphrase.value,
        machineId: () => readMachineId(),
        portable: args.portable,
        checkPassphrase: passphrase.interactive
          ? (opensExisting) => confirmTypedPassphrase(vault.path, passphrase.value, opensExisting, 'import')
          : undefined,
      });
    } finally {
      passphrase.value.fill(0);
    }

    const mode = args.portable ? 'Portable' : 'Locked';
    printInfo(`sealed ${values.size} variable(s) from ${args.envFile} into ${vault.path} (${mode}) in one write`);
    if (result.added.length > 0) {
      printInfo(`new keys: ${result.added.join(', ')}`);
    }
    if (result.replaced.length > 0) {
      printInfo(`replaced keys: ${result.replaced.join(', ')}`);
    }

    if (args.manifest !== undefined) {
      await writeManifest(args.manifest, [...parsed.values.keys()]);
      printInfo(`wrote ${parsed.values.size} key name(s) to ${args.manifest}`);
    }
    if (file !== null) {
      await wipeEnvFile(file, parsed, args.wipeComment);
    }
  } finally {
    for (const value of values.values()) {
      value.fill(0);
    }
    if (file !== null) {
      await file.close();
    } else {
      data.fill(0);
    }
  }
}
