import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import execa from 'execa';
import { dir as temporaryDirectory, DirectoryResult } from 'tmp-promise';
import { decodeBlob, parseVault, VaultEntry } from '../../src/vault';
import { AMULET_BIN, runAmulet } from '../support/run-amulet';

const OLD_PASSPHRASE = 'made-up old passphrase';
const NEW_PASSPHRASE = 'made-up new passphrase';
const OTHER_PASSPHRASE = 'made-up unrelated passphrase';

let workspace: DirectoryResult;
let vault: string;
let env: Record<string, string>;
const passphraseFiles: Record<string, string> = {};

beforeEach(async () => {
  workspace = await temporaryDirectory({ unsafeCleanup: true });
  vault = join(workspace.path, 're-seal.vault');
  for (const passphrase of [OLD_PASSPHRASE, NEW_PASSPHRASE, OTHER_PASSPHRASE]) {
    passphraseFiles[passphrase] = join(workspace.path, passphrase.replace(/ /g, '-'));
    await fs.writeFile(passphraseFiles[passphrase], `${passphrase}\n`);
  }
  const machineIdFile = join(workspace.path, 'machine-id');
  await fs.writeFile(machineIdFile, 'deadbeefdeadbeefdeadbeefdeadbeef\n');
  env = { AMULET_MACHINE_ID_FILE: machineIdFile };
});

afterEach(async () => {
  await workspace.cleanup();
});

async function seal(key: string, value: string, passphrase: string, extra: string[] = []) {
  const result = await runAmulet(['seal', key, '--vault', vault, '--passphrase-file', passphraseFiles[passphrase], ...extra], {
    input: value,
    env,
  });
  expect(result.exitCode).toBe(0);
}

function reseal(target: string[], from = OLD_PASSPHRASE, to = NEW_PASSPHRASE) {
  return runAmulet(
    ['re-seal', ...target, '--vault', vault, '--passphrase-file', passphraseFiles[from], '--new-passphrase-file', passphraseFiles[to]],
    { env },
  );
}

function unseal(key: string, passphrase: string) {
  return runAmulet(['unseal', key, '--vault', vault, '--passphrase-file', passphraseFiles[passphrase]], { env });
}

async function readEntries(): Promise<Map<string, VaultEntry>> {
  return new Map(parseVault(await fs.readFile(vault)).map((entry) => [entry.name, entry]));
}

describe('re-seal KEY', () => {
  test('new passphrase opens the entry', async () => {
    await seal('A', 'made-up-a', OLD_PASSPHRASE);
    expect((await reseal(['A'])).exitCode).toBe(0);
    const opened = await unseal('A', NEW_PASSPHRASE);
    expect(opened.exitCode).toBe(0);
    expect(opened.stdout.toString()).toBe('made-up-a');
  });

  test('old passphrase no longer opens it', async () => {
    await seal('A', 'made-up-a', OLD_PASSPHRASE);
    await reseal(['A']);
    const opened = await unseal('A', OLD_PASSPHRASE);
    expect(opened.exitCode).toBe(1);
    expect(opened.stderr).toContain('authentication failed');
  });

  test('keeps Portable mode', async () => {
    await seal('P', 'made-up-p', OLD_PASSPHRASE, ['--portable']);
    await reseal(['P']);
    expect(decodeBlob((await readEntries()).get('P')!.blob).portable).toBe(true);
  });

  test('keeps Locked mode', async () => {
    await seal('L', 'made-up-l', OLD_PASSPHRASE);
    await reseal(['L']);
    expect(decodeBlob((await readEntries()).get('L')!.blob).portable).toBe(false);
  });

  test('other entries stay unchanged', async () => {
    await seal('A', 'made-up-a', OLD_PASSPHRASE);
    await seal('B', 'made-up-b', OLD_PASSPHRASE);
    const before = (await readEntries()).get('B')!.blob;
    await reseal(['A']);
    expect((await readEntries()).get('B')!.blob).toEqual(before);
  });

  test('wrong current passphrase writes nothing', async () => {
    await seal('A', 'made-up-a', OLD_PASSPHRASE);
    const before = await fs.readFile(vault);
    const result = await reseal(['A'], OTHER_PASSPHRASE);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('cannot unseal "A": authentication failed');
    expect(await fs.readFile(vault)).toEqual(before);
  });

  test('missing key fails before any passphrase', async () => {
    await seal('A', 'made-up-a', OLD_PASSPHRASE);
    const result = await runAmulet(['re-seal', 'NOPE', '--vault', vault], { env });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('key "NOPE" not found');
  });
});

describe('re-seal --all', () => {
  test('re-seals only entries that open', async () => {
    await seal('A', 'made-up-a', OLD_PASSPHRASE);
    await seal('B', 'made-up-b', OLD_PASSPHRASE, ['--portable']);
    await seal('C', 'made-up-c', OTHER_PASSPHRASE);
    const before = (await readEntries()).get('C')!.blob;

    const result = await reseal(['--all']);
    expect(result.exitCode).toBe(0);
    expect((await unseal('A', NEW_PASSPHRASE)).stdout.toString()).toBe('made-up-a');
    expect((await unseal('B', NEW_PASSPHRASE)).stdout.toString()).toBe('made-up-b');
    expect((await readEntries()).get('C')!.blob).toEqual(before);
  });

  test('lists skipped entries by name', async () => {
    await seal('A', 'made-up-a', OLD_PASSPHRASE);
    await seal('C', 'made-up-c', OTHER_PASSPHRASE);
    const result = await reseal(['--all']);
    expect(result.stderr).toContain('left 1 entry unchanged');
    expect(result.stderr).toMatch(/current passphrase on this machine: C\n/);
  });

  test('one salt per mode after re-seal', async () => {
    await seal('L1', 'made-up-1', OLD_PASSPHRASE);
    await seal('L2', 'made-up-2', OLD_PASSPHRASE);
    await seal('P1', 'made-up-3', OLD_PASSPHRASE, ['--portable']);
    await seal('P2', 'made-up-4', OLD_PASSPHRASE, ['--portable']);
    await reseal(['--all']);

    const salts = [...(await readEntries()).values()].map((entry) => decodeBlob(entry.blob));
    const lockedSalts = new Set(salts.filter((blob) => !blob.portable).map((blob) => blob.salt.toString('hex')));
    const portableSalts = new Set(salts.filter((blob) => blob.portable).map((blob) => blob.salt.toString('hex')));
    expect(lockedSalts.size).toBe(1);
    expect(portableSalts.size).toBe(1);
  });

  test('reuses the salt of entries under the new passphrase', async () => {
    await seal('NEW', 'made-up-new', NEW_PASSPHRASE);
    await seal('OLD', 'made-up-old', OLD_PASSPHRASE);
    await reseal(['OLD']);
    const entries = await readEntries();
    expect(decodeBlob(entries.get('OLD')!.blob).salt).toEqual(decodeBlob(entries.get('NEW')!.blob).salt);
  });

  test('nothing opens: exits 1', async () => {
    await seal('C', 'made-up-c', OTHER_PASSPHRASE);
    const result = await reseal(['--all']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('opens with the current passphrase; nothing re-sealed');
  });
});

describe('re-seal usage', () => {
  test('key with --all exits 2', async () => {
    await seal('A', 'made-up-a', OLD_PASSPHRASE);
    expect((await reseal(['A', '--all'])).exitCode).toBe(2);
  });

  test('neither key nor --all exits 2', async () => {
    await seal('A', 'made-up-a', OLD_PASSPHRASE);
    expect((await reseal([])).exitCode).toBe(2);
  });
});

describe('re-seal passphrase sources', () => {
  test('new passphrase from a file descriptor', async () => {
    await seal('A', 'made-up-a', OLD_PASSPHRASE);
    const script = `"${process.execPath}" -- "${AMULET_BIN}" re-seal A --vault "$1" --passphrase-file "$2" --new-passphrase-fd 3 3<"$3"`;
    const result = await execa('bash', ['-c', script, '-', vault, passphraseFiles[OLD_PASSPHRASE], passphraseFiles[NEW_PASSPHRASE]], {
      env,
      reject: false,
    });
    expect(result.exitCode).toBe(0);
    expect((await unseal('A', NEW_PASSPHRASE)).stdout.toString()).toBe('made-up-a');
  });

  test('new file and fd together exit 2', async () => {
    await seal('A', 'made-up-a', OLD_PASSPHRASE);
    const result = await reseal(['A', '--new-passphrase-fd', '3']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--new-passphrase-file and --new-passphrase-fd cannot be used together');
  });
});
