import { KeyRing, missingMachineIdError } from '../../vault/keys';
import { Vault, validateKeyName } from '../../vault/vault';
import { assertVaultDirectoryWritable } from '../../vault/storage';
import { readMachineId } from '../../system/machine-id';
import { printInfo, printWarning, promptHidden, readAll } from '../io';
import { confirmTypedPassphrase } from '../confirm-passphrase';
import { readPassphrase } from '../passphrase';
import type { SealArguments } from './seal';

/** Names that every compose engine accepts as variables; others seal fine but cannot be passed. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export async function runSeal(args: SealArguments): Promise<void> {
  validateKeyName(args.key);
  if (!ENV_NAME.test(args.key)) {
    printWarning(`"${args.key}" is not a valid environment variable name, so "amulet compose" cannot pass it`);
  }
  const vault = await Vault.open(args.file);
  await assertVaultDirectoryWritable(args.file);

  const machineId = args.portable ? null : await readMachineId();
  if (!args.portable && machineId === null) {
    throw missingMachineIdError('seal', args.key);
  }

  // A secret typed at a terminal is read with echo off, as one line. Multi-line secrets such as
  // PEM keys are piped or redirected from a file instead.
  const secret = process.stdin.isTTY ? await promptHidden('Secret (input hidden): ') : await readAll(process.stdin);
  const passphrase = await readPassphrase(args, { stdinLine: false });
  const keyRing = new KeyRing(passphrase.value, machineId);

  try {
    if (args.portable) {
      printWarning(`"${args.key}" is sealed Portable: a copy of the vault opens on any machine with the passphrase alone`);
    }
    if (passphrase.interactive) {
      await confirmTypedPassphrase(vault.path, passphrase.value, await vault.passphraseOpensAny(keyRing), 'seal');
    }
    const sealKey = await vault.sealKey(args.portable ? 'portable' : 'locked', keyRing);
    if (!passphrase.interactive && sealKey.opensExisting === false) {
      printWarning(
        `this passphrase does not open the other ${args.portable ? 'Portable' : 'Locked'} entries of ${vault.path}; ` +
          'a vault with mixed passphrases makes "amulet compose" fail for some keys',
      );
    }
    const result = await vault.store(new Map([[args.key, secret]]), sealKey);
    const verb = result.replaced.length > 0 ? 'replaced' : 'sealed';
    printInfo(`${verb} "${args.key}" (${args.portable ? 'Portable' : 'Locked'}) in ${vault.path}`);
  } finally {
    secret.fill(0);
    passphrase.value.fill(0);
    await keyRing.dispose();
  }
}
