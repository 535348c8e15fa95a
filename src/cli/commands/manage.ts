// Commands that change or show entries without a passphrase: list, delete, rename, probe.

import type { Argv, CommandModule } from 'yargs';
import type { GlobalArguments } from '../options';

export const listCommand: CommandModule<GlobalArguments, GlobalArguments> = {
  command: 'list',
  describe: 'Print the key names in the vault, one per line',
  handler: async (args) => {
    const { Vault } = await import('../../vault/vault');
    const { writeStdout } = await import('../output');
    const vault = await Vault.openExisting(args.file);
    const names = vault.names();
    await writeStdout(names.map((name) => `${name}\n`).join(''));
  },
};

interface KeyArguments extends GlobalArguments {
  key: string;
}

export const deleteCommand: CommandModule<GlobalArguments, KeyArguments> = {
  command: 'delete <key>',
  describe: 'Remove KEY from the vault',
  builder: (yargs: Argv<GlobalArguments>) =>
    yargs.positional('key', { type: 'string', demandOption: true, describe: 'key name' }),
  handler: async (args) => {
    const { Vault } = await import('../../vault/vault');
    const { printInfo } = await import('../output');
    const vault = await Vault.openExisting(args.file);
    await vault.delete(args.key);
    printInfo(`deleted "${args.key}" from ${vault.path}`);
  },
};

interface RenameArguments extends GlobalArguments {
  old: string;
  new: string;
}

export const renameCommand: CommandModule<GlobalArguments, RenameArguments> = {
  command: 'rename <old> <new>',
  describe: 'Rename a key; the sealed value is kept as it is',
  builder: (yargs: Argv<GlobalArguments>) =>
    yargs
      .positional('old', { type: 'string', demandOption: true, describe: 'current key name' })
      .positional('new', { type: 'string', demandOption: true, describe: 'new key name' }),
  handler: async (args) => {
    const { Vault } = await import('../../vault/vault');
    const { printInfo } = await import('../output');
    const vault = await Vault.openExisting(args.file);
    await vault.rename(args.old, args.new);
    printInfo(`renamed "${args.old}" to "${args.new}" in ${vault.path}`);
  },
};

export const probeCommand: CommandModule<GlobalArguments, GlobalArguments> = {
  command: 'probe',
  describe: 'Print the machine id that Locked entries are bound to (exit 2 if there is none)',
  handler: async () => {
    const { readMachineId } = await import('../../system/machine-id');
    const { AmuletError, ExitCode } = await import('../../vault/errors');
    const { writeStdout } = await import('../output');
    const id = await readMachineId();
    if (id === null) {
      throw new AmuletError('ENOMACHINEID', 'this host has no machine id', {
        hint: 'use --portable entries here, or create one with systemd-machine-id-setup',
        exitCode: ExitCode.usage,
      });
    }
    await writeStdout(`${id}\n`);
  },
};
