import { Vault } from '../../vault/vault';
import { readMachineId } from '../../system/machine-id';
import { writeStdout } from '../io';
import { readPassphrase } from '../passphrase';
import type { UnsealArguments } from './unseal';

export async function runUnseal(args: UnsealArguments, options: { print: boolean }): Promise<void> {
  const vault = await Vault.openExisting(args.file);
  // Fails on a missing key before the passphrase is asked for.
  vault.entry(args.key);

  const passphrase = await readPassphrase(args, { stdinLine: true });
  let values: Map<string, Buffer>;
  try {
    values = await vault.unseal([args.key], { passphrase: passphrase.value, machineId: () => readMachineId() });
  } finally {
    passphrase.value.fill(0);
  }

  const secret = values.get(args.key)!;
  try {
    if (options.print) {
      await writeStdout(secret);
    }
  } finally {
    secret.fill(0);
  }
}
