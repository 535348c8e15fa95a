// A workspace for `amulet compose` tests: a vault with made-up secrets, a passphrase file, and a
// bin directory with a fake compose engine for what cannot run here.

import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { ChildProcess, spawn } from 'node:child_process';
import { dir as temporaryDirectory, DirectoryResult } from 'tmp-promise';
import { Vault } from '../../src/vault';
import { AMULET_BIN } from './run-amulet';
import { FIXTURES } from './vectors';

export const TEST_PASSPHRASE = 'made-up compose passphrase';

/** Made-up values that exercise every rule of env-file quoting. */
export const HARD_VALUES: Record<string, string> = {
  DOLLAR: 'a$b',
  DOUBLE_DOLLAR: 'p$$w',
  BRACED: 'x${HOME}y',
  BARE_VARIABLE: '$HOME/x',
  SINGLE_QUOTE: "it's",
  DOUBLE_QUOTE: 'say "hi"',
  BACKTICK: 'run `id`',
  BACKSLASH: 'back\\slash',
  TRAILING_BACKSLASH: 'ends with\\',
  HASH: 'value #not-a-comment',
  SPACES: '  padded  ',
  EQUALS: 'a=b=c',
  UNICODE: 'pässwörd-🔑',
  PEM: '-----BEGIN TEST KEY-----\nTUFERS1VUC1OT1Q=\n-----END TEST KEY-----\n',
  EMPTY: '',
  LITERAL_BACKSLASH_N: 'one\\ntwo',
  QUOTED_LOOKING: "'quoted'",
  CRLF: 'windows\r\nline\r\n',
  TAB: 'a\tb',
};

export interface ComposeWorkspace {
  directory: DirectoryResult;
  path: string;
  vault: string;
  passphraseFile: string;
  bin: string;
  capture: string;
  cleanup(): Promise<void>;
}

/** Creates a workspace whose vault contains `values`, all Portable under TEST_PASSPHRASE. */
export async function createComposeWorkspace(values: Record<string, string>): Promise<ComposeWorkspace> {
  const directory = await temporaryDirectory({ unsafeCleanup: true });
  const path = directory.path;
  const vaultPath = join(path, 'secrets.vault');
  const vault = await Vault.open(vaultPath);
  const keyRing = await import('../../src/vault').then(({ KeyRing }) => new KeyRing(Buffer.from(TEST_PASSPHRASE), null));
  const sealKey = await vault.sealKey('portable', keyRing);
  await vault.store(new Map(Object.entries(values).map(([name, value]) => [name, Buffer.from(value, 'utf8')])), sealKey);
  await keyRing.dispose();

  const passphraseFile = join(path, 'passphrase');
  await fs.writeFile(passphraseFile, `${TEST_PASSPHRASE}\n`);
  const bin = join(path, 'bin');
  const capture = join(path, 'capture');
  const temporaryBase = join(path, 'tmp');
  await Promise.all([fs.mkdir(bin), fs.mkdir(capture), fs.mkdir(temporaryBase)]);
  return { directory, path, vault: vaultPath, passphraseFile, bin, capture, cleanup: () => directory.cleanup() };
}

/** Puts the fake engine on the workspace's PATH under each of `names` (docker, podman, ...). */
export async function installFakeEngine(workspace: ComposeWorkspace, names: string[]): Promise<void> {
  for (const name of names) {
    await fs.symlink(join(FIXTURES, 'fake-engines', 'fake-compose.sh'), join(workspace.bin, name));
  }
}

/** PATH with the workspace's bin first and no other compose engine. */
export function fakePath(workspace: ComposeWorkspace): string {
  return `${workspace.bin}:/usr/local/bin:/bin`;
}

/** Starts `amulet` without waiting, for signal tests. */
export function startAmulet(args: string[], env: NodeJS.ProcessEnv, cwd: string): ChildProcess {
  return spawn(process.execPath, ['--', AMULET_BIN, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Waits until `path` exists, polling; throws after `timeoutMs`. */
export async function waitForFile(path: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fs.access(path);
      return;
    } catch {
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${path}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** Entries of `directory` whose names start with amulet's temporary-directory prefix. */
export async function leftoverEnvDirectories(directory: string): Promise<string[]> {
  const names = await fs.readdir(directory).catch(() => [] as string[]);
  return names.filter((name) => name.startsWith('amulet-compose-'));
}
