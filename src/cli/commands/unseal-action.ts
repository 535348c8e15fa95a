import { openVault, unseal } from '../../index';
import { readMachineId } from '../../system/machine-id';
import { writeStdout } from '../io';
import { readPassphrase } from '../passphrase';
import type { UnsealArguments } from './unseal';

export async function runUnseal(args: UnsealArguments, options: { print: boolean }): Promise<void> {
  const vault = await openVault(args.file);
  // Fails on a missing key before the passphrase is asked for.
  vault.entry(args.key);

  const passphrase = await readPassphrase(args, { stdinLine: true });
  let secret: Buffer;
  try {
    secret = await unseal(vault, args.key, { passphrase: passphrase.value, machineId: () => readMachineId() });
  } finally {
    passphrase.value.fill(0);
  }

  try {
    if (options.print) {
      await writeStdout(secret);
    }
  } finally {
    secret.fill(0);
  }
}
