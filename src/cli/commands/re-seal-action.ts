import { openVault, reseal } from '../../index';
import { readMachineId } from '../../system/machine-id';
import { AmuletError, usageError } from '../../vault/errors';
import { promptHidden } from '../io';
import { printInfo, printWarning } from '../output';
import { readPassphrase } from '../passphrase';
import type { ResealArguments } from './re-seal';

/** Reads the new passphrase, and prompts for it a second time when it was typed at the prompt. */
async function readNewPassphrase(args: ResealArguments): Promise<Buffer> {
  const passphrase = await readPassphrase(
    { passphraseFile: args.newPassphraseFile, passphraseFd: args.newPassphraseFd },
    { stdinLine: false, prompt: 'New passphrase: ' },
  );
  if (!passphrase.interactive) {
    return passphrase.value;
  }

  const repeated = await promptHidden('Repeat new passphrase: ');
  const same = repeated.equals(passphrase.value);
  repeated.fill(0);
  if (!same) {
    passphrase.value.fill(0);
    throw new AmuletError('EPASSMISMATCH', 'the two new passphrases do not match; nothing re-sealed', {
      hint: 'run the command again',
    });
  }
  return passphrase.value;
}

export async function runReseal(args: ResealArguments): Promise<void> {
  if (args.all === (args.key !== undefined)) {
    throw usageError(
      args.all ? 'give either a key or --all, not both' : 'missing key: give a key name or --all',
      'for example "amulet re-seal DB_PASSWORD" or "amulet re-seal --all"',
    );
  }
  if (args.newPassphraseFile !== undefined && args.newPassphraseFd !== undefined) {
    throw usageError('--new-passphrase-file and --new-passphrase-fd cannot be used together');
  }
  if (args.newPassphraseFd !== undefined && (!Number.isInteger(args.newPassphraseFd) || args.newPassphraseFd < 0)) {
    throw usageError(`invalid --new-passphrase-fd ${args.newPassphraseFd}: expected a file descriptor number`);
  }

  const vault = await openVault(args.file);
  // Fails on a missing key before any passphrase is asked for.
  if (args.key !== undefined) {
    vault.entry(args.key);
  }

  const current = await readPassphrase(args, { stdinLine: false, prompt: 'Current passphrase: ' });
  let next: Buffer | undefined;
  try {
    next = await readNewPassphrase(args);
    const result = await reseal(vault, args.all ? 'all' : [args.key!], {
      passphrase: current.value,
      newPassphrase: next,
      machineId: () => readMachineId(),
    });

    printInfo(`re-sealed ${result.resealed.length} entr${result.resealed.length === 1 ? 'y' : 'ies'} in ${vault.path}: ${result.resealed.join(', ')}`);
    if (result.skipped.length > 0) {
      printWarning(
        `left ${result.skipped.length} entr${result.skipped.length === 1 ? 'y' : 'ies'} unchanged because ` +
          `they do not open with the current passphrase on this machine: ${result.skipped.join(', ')}`,
      );
    }
  } finally {
    current.value.fill(0);
    next?.fill(0);
  }
}
