import { AmuletError } from '../../vault/errors';
import { KeyRing, missingMachineIdError } from '../../vault/keys';
import { Vault, validateKeyName } from '../../vault/vault';
import { readMachineId } from '../../system/machine-id';
import { confirmOnTerminal, printInfo, printWarning, promptHidden, readAll } from '../io';
import { readPassphrase } from '../passphrase';
import type { SealArguments } from './seal';

/**
 * Asks for the passphrase a second time when it starts a new vault or differs from the vault's
 * other entries, since a typo there would lock the secret away.
 */
async function confirmInteractivePassphrase(vault: Vault, keyRing: KeyRing, passphrase: Buffer): Promise<void> {
  const opensAny = await vault.passphraseOpensAny(keyRing);
  if (opensAny === true) {
    return;
  }

  if (opensAny === false) {
    printWarning(
      `this passphrase does not open the other entries of ${vault.path}; ` +
        'a vault with mixed passphrases makes "amulet compose" fail for some keys',
    );
    if (!(await confirmOnTerminal('Seal with a different passphrase anyway?'))) {
      throw new AmuletError('ECANCELED', 'nothing sealed: the passphrase differs from the vault\'s other entries', {
        hint: 'run the command again and type the vault\'s passphrase',
      });
    }
    return;
  }

  const repeated = await promptHidden('Repeat passphrase: ');
  const same = repeated.equals(passphrase);
  repeated.fill(0);
  if (!same) {
    throw new AmuletError('EPASSMISMATCH', 'the two passphrases do not match; nothing sealed', {
      hint: 'run the command again',
    });
  }
}

export async function runSeal(args: SealArguments): Promise<void> {
  validateKeyName(args.key);
  const vault = await Vault.open(args.file);

  const machineId = args.portable ? null : await readMachineId();
  if (!args.portable && machineId === null) {
    throw missingMachineIdError('seal', args.key);
  }

  // A secret typed at a terminal is read with echo off, as one line; multi-line secrets such as
  // PEM keys are piped or redirected from a file instead.
  const secret = process.stdin.isTTY ? await promptHidden('Secret (input hidden): ') : await readAll(process.stdin);
  const passphrase = await readPassphrase(args, { stdinLine: false });
  const keyRing = new KeyRing(passphrase.value, machineId);

  try {
    if (args.portable) {
      printWarning(`"${args.key}" is sealed Portable: a copy of the vault opens on any machine with the passphrase alone`);
    }
    if (passphrase.interactive) {
      await confirmInteractivePassphrase(vault, keyRing, passphrase.value);
    }
    const sealKey = await vault.sealKey(args.portable ? 'portable' : 'locked', keyRing);
    const result = await vault.store(new Map([[args.key, secret]]), sealKey);
    const verb = result.replaced.length > 0 ? 'replaced' : 'sealed';
    printInfo(`${verb} "${args.key}" (${args.portable ? 'Portable' : 'Locked'}) in ${vault.path}`);
  } finally {
    secret.fill(0);
    passphrase.value.fill(0);
    await keyRing.dispose();
  }
}
