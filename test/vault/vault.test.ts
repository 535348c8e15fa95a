import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { dir as temporaryDirectory, DirectoryResult } from 'tmp-promise';
import {
  AuthenticationError,
  decodeBlob,
  KeyRing,
  parseVault,
  Vault,
  VaultFormatError,
} from '../../src/vault';
import { readVaultIndependently } from '../support/independent-reader';
import { loadVectors } from '../support/vectors';
import { corruptCases, portableVault } from '../support/corrupt-vaults';

const PASSPHRASE = Buffer.from('made-up passphrase for tests');
const MACHINE_A = 'aaaaaaaabbbbbbbbccccccccdddddddd';
const MACHINE_B = '11111111222222223333333344444444';

let workspace: DirectoryResult;
let vaultPath: string;

beforeEach(async () => {
  workspace = await temporaryDirectory({ unsafeCleanup: true });
  vaultPath = join(workspace.path, 'test.vault');
});

afterEach(async () => {
  await workspace.cleanup();
});

describe('vector vaults', () => {
  for (const vector of loadVectors()) {
    test(`${vector.file.split('/').pop()} opens to the listed bytes`, async () => {
      const vault = await Vault.openExisting(vector.file);
      expect(vault.names()).toEqual(vector.entries.map((entry) => entry.key));

      const values = await vault.unseal(vault.names(), {
        passphrase: Buffer.from(vector.passphrase),
        machineId: vector.machineId,
      });
      for (const entry of vector.entries) {
        expect(values.get(entry.key)?.toString('hex')).toBe(entry.hex);
        expect(vault.mode(entry.key)).toBe(entry.mode);
      }
    });
  }

  test('Locked vector entry fails on another machine id', async () => {
    const vector = loadVectors().find((candidate) => candidate.machineId !== null)!;
    const vault = await Vault.openExisting(vector.file);
    const locked = vector.entries.find((entry) => entry.mode === 'locked')!;

    await expect(
      vault.unseal([locked.key], { passphrase: Buffer.from(vector.passphrase), machineId: MACHINE_B }),
    ).rejects.toThrow(AuthenticationError);
  });
});

describe('seal and unseal', () => {
  const value = Buffer.from('p@ss "quoted" $HOME \\ #x\nline2 ü', 'utf8');

  test.each([
    ['Locked', false],
    ['Portable', true],
  ])('%s round trip returns the sealed bytes', async (_label, portable) => {
    const vault = await Vault.open(vaultPath);
    await vault.seal('SECRET', value, { passphrase: PASSPHRASE, machineId: MACHINE_A, portable });

    const reopened = await Vault.openExisting(vaultPath);
    const values = await reopened.unseal(['SECRET'], { passphrase: PASSPHRASE, machineId: MACHINE_A });
    expect(values.get('SECRET')!.equals(value)).toBe(true);
    expect(reopened.mode('SECRET')).toBe(portable ? 'portable' : 'locked');
  });

  test('wrong passphrase fails with the shared message', async () => {
    const vault = await Vault.open(vaultPath);
    await vault.seal('SECRET', value, { passphrase: PASSPHRASE, machineId: MACHINE_A, portable: true });

    const attempt = vault.unseal(['SECRET'], { passphrase: Buffer.from('not it'), machineId: MACHINE_A });
    await expect(attempt).rejects.toThrow(
      'cannot unseal "SECRET": authentication failed: wrong passphrase, or the entry is Locked to another machine',
    );
  });

  test('Locked entry fails on another machine id', async () => {
    const vault = await Vault.open(vaultPath);
    await vault.seal('SECRET', value, { passphrase: PASSPHRASE, machineId: MACHINE_A, portable: false });

    const attempt = vault.unseal(['SECRET'], { passphrase: PASSPHRASE, machineId: MACHINE_B });
    await expect(attempt).rejects.toThrow(AuthenticationError);
  });

  test('Portable entry opens on any machine id', async () => {
    const vault = await Vault.open(vaultPath);
    await vault.seal('SECRET', value, { passphrase: PASSPHRASE, machineId: MACHINE_A, portable: true });

    const values = await vault.unseal(['SECRET'], { passphrase: PASSPHRASE, machineId: MACHINE_B });
    expect(values.get('SECRET')!.equals(value)).toBe(true);
  });

  test('Locked seal without a machine id is rejected', async () => {
    const vault = await Vault.open(vaultPath);
    const attempt = vault.seal('SECRET', value, { passphrase: PASSPHRASE, machineId: null, portable: false });
    await expect(attempt).rejects.toMatchObject({ code: 'ENOMACHINEID', hint: expect.stringContaining('--portable') });
    await expect(fs.stat(vaultPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('empty machine id counts as missing', async () => {
    const vault = await Vault.open(vaultPath);
    const attempt = vault.seal('SECRET', value, { passphrase: PASSPHRASE, machineId: '  \n', portable: false });
    await expect(attempt).rejects.toMatchObject({ code: 'ENOMACHINEID' });
  });

  test('empty value round trips', async () => {
    const vault = await Vault.open(vaultPath);
    await vault.seal('EMPTY', Buffer.alloc(0), { passphrase: PASSPHRASE, machineId: MACHINE_A, portable: true });
    const values = await vault.unseal(['EMPTY'], { passphrase: PASSPHRASE, machineId: MACHINE_A });
    expect(values.get('EMPTY')).toHaveLength(0);
  });

  test('value over 64 KiB is rejected', async () => {
    const vault = await Vault.open(vaultPath);
    const attempt = vault.seal('BIG', Buffer.alloc(64 * 1024 + 1), {
      passphrase: PASSPHRASE,
      machineId: MACHINE_A,
      portable: true,
    });
    await expect(attempt).rejects.toMatchObject({ code: 'EVALUESIZE' });
  });

  test('value of exactly 64 KiB is accepted', async () => {
    const vault = await Vault.open(vaultPath);
    const big = Buffer.alloc(64 * 1024, 0x41);
    await vault.seal('BIG', big, { passphrase: PASSPHRASE, machineId: MACHINE_A, portable: true });
    const values = await vault.unseal(['BIG'], { passphrase: PASSPHRASE, machineId: MACHINE_A });
    expect(values.get('BIG')!.equals(big)).toBe(true);
  });

  test('missing key is reported by name', async () => {
    const vault = await Vault.open(vaultPath);
    await expect(vault.unseal(['NOPE'], { passphrase: PASSPHRASE, machineId: MACHINE_A })).rejects.toMatchObject({
      code: 'ENOKEY',
      message: `key "NOPE" not found in vault ${vaultPath}`,
    });
  });

  test('independent reader opens what we write', async () => {
    const vault = await Vault.open(vaultPath);
    await vault.seal('LOCKED_ONE', value, { passphrase: PASSPHRASE, machineId: MACHINE_A, portable: false });
    await vault.seal('PORTABLE_ONE', Buffer.from('p'), { passphrase: PASSPHRASE, machineId: MACHINE_A, portable: true });

    const entries = await readVaultIndependently(await fs.readFile(vaultPath), PASSPHRASE.toString(), MACHINE_A);
    expect(entries.map((entry) => [entry.key, entry.portable])).toEqual([
      ['LOCKED_ONE', false],
      ['PORTABLE_ONE', true],
    ]);
    expect(entries[0].value!.equals(value)).toBe(true);
    expect(entries[1].value!.toString()).toBe('p');
  });
});

describe('salt sharing', () => {
  test('entries under one passphrase share a salt per mode', async () => {
    const vault = await Vault.open(vaultPath);
    for (const name of ['A', 'B', 'C']) {
      await vault.seal(name, Buffer.from(name), { passphrase: PASSPHRASE, machineId: MACHINE_A, portable: false });
    }
    for (const name of ['D', 'E']) {
      await vault.seal(name, Buffer.from(name), { passphrase: PASSPHRASE, machineId: MACHINE_A, portable: true });
    }

    const entries = parseVault(await fs.readFile(vaultPath));
    const salts = entries.map((entry) => decodeBlob(entry.blob).salt.toString('hex'));
    const nonces = entries.map((entry) => decodeBlob(entry.blob).nonce.toString('hex'));
    expect(new Set(salts.slice(0, 3)).size).toBe(1);
    expect(new Set(salts.slice(3)).size).toBe(1);
    expect(salts[0]).not.toBe(salts[3]);
    expect(new Set(nonces).size).toBe(5);
  });

  test('five keys under one passphrase open with two KDF runs', async () => {
    const vault = await Vault.open(vaultPath);
    for (const [name, portable] of [['A', false], ['B', false], ['C', false], ['D', true], ['E', true]] as const) {
      await vault.seal(name, Buffer.from(name), { passphrase: PASSPHRASE, machineId: MACHINE_A, portable });
    }

    const keyRing = new KeyRing(PASSPHRASE, MACHINE_A);
    const values = await vault.unseal(vault.names(), { passphrase: PASSPHRASE, machineId: MACHINE_A, keyRing });
    expect([...values.keys()]).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(keyRing.derivations).toBe(2);
  });

  test('another passphrase draws a fresh salt', async () => {
    const vault = await Vault.open(vaultPath);
    await vault.seal('A', Buffer.from('a'), { passphrase: PASSPHRASE, machineId: MACHINE_A, portable: true });
    await vault.seal('B', Buffer.from('b'), { passphrase: Buffer.from('other'), machineId: MACHINE_A, portable: true });

    const [first, second] = parseVault(await fs.readFile(vaultPath)).map((entry) => decodeBlob(entry.blob).salt);
    expect(first.equals(second)).toBe(false);
    const values = await vault.unseal(['B'], { passphrase: Buffer.from('other'), machineId: MACHINE_A });
    expect(values.get('B')!.toString()).toBe('b');
  });
});

describe('storage', () => {
  test('corrupt vault is never overwritten', async () => {
    const corrupt = Buffer.from([0x00, 0x03, 0x41, 0x42]);
    await fs.writeFile(vaultPath, corrupt);

    await expect(Vault.open(vaultPath)).rejects.toThrow(VaultFormatError);
    await expect(fs.readFile(vaultPath)).resolves.toEqual(corrupt);
  });

  const corruptFiles = [
    ...corruptCases.map((corrupt) => [corrupt.name, corrupt.data()] as const),
    ...[1, 2, 10, 40, 99, portableVault.length - 1].map((length) => [`truncated at ${length}`, portableVault.subarray(0, length)] as const),
  ];

  test.each(corruptFiles)('%s: every write leaves the file untouched', async (_name, corrupt) => {
    const vault = await Vault.open(vaultPath);
    await fs.writeFile(vaultPath, corrupt);

    await expect(Vault.open(vaultPath)).rejects.toThrow(VaultFormatError);
    await expect(vault.seal('A', Buffer.from('a'), { passphrase: PASSPHRASE, machineId: MACHINE_A, portable: true })).rejects.toThrow(VaultFormatError);
    await expect(vault.delete('A')).rejects.toThrow(VaultFormatError);
    await expect(vault.rename('A', 'B')).rejects.toThrow(VaultFormatError);
    expect((await fs.readFile(vaultPath)).equals(corrupt)).toBe(true);
    expect(await fs.readdir(workspace.path)).toEqual(['test.vault']);
  });

  test('vault corrupted after open is not overwritten by seal', async () => {
    const vault = await Vault.open(vaultPath);
    const corrupt = Buffer.from([0x00, 0x00]);
    await fs.writeFile(vaultPath, corrupt);

    const attempt = vault.seal('A', Buffer.from('a'), { passphrase: PASSPHRASE, machineId: MACHINE_A, portable: true });
    await expect(attempt).rejects.toThrow(VaultFormatError);
    await expect(fs.readFile(vaultPath)).resolves.toEqual(corrupt);
  });

  test('written vault has mode 0600', async () => {
    const vault = await Vault.open(vaultPath);
    await vault.seal('A', Buffer.from('a'), { passphrase: PASSPHRASE, machineId: MACHINE_A, portable: true });
    expect((await fs.stat(vaultPath)).mode & 0o777).toBe(0o600);
  });

  test('write leaves no temporary file or lock behind', async () => {
    const vault = await Vault.open(vaultPath);
    await vault.seal('A', Buffer.from('a'), { passphrase: PASSPHRASE, machineId: MACHINE_A, portable: true });
    expect(await fs.readdir(workspace.path)).toEqual(['test.vault']);
  });

  test('symlinked vault is rejected', async () => {
    const target = join(workspace.path, 'real.vault');
    await fs.writeFile(target, Buffer.alloc(0));
    await fs.symlink(target, vaultPath);
    await expect(Vault.open(vaultPath)).rejects.toMatchObject({ code: 'ESYMLINK' });
  });

  test('rename keeps the blob bytes', async () => {
    const vault = await Vault.open(vaultPath);
    await vault.seal('OLD', Buffer.from('v'), { passphrase: PASSPHRASE, machineId: MACHINE_A, portable: true });
    const before = vault.entry('OLD').blob;

    await vault.rename('OLD', 'NEW');
    const reopened = await Vault.openExisting(vaultPath);
    expect(reopened.names()).toEqual(['NEW']);
    expect(reopened.entry('NEW').blob.equals(before)).toBe(true);
  });

  test('rename onto an existing key is rejected', async () => {
    const vault = await Vault.open(vaultPath);
    await vault.seal('A', Buffer.from('a'), { passphrase: PASSPHRASE, machineId: MACHINE_A, portable: true });
    await vault.seal('B', Buffer.from('b'), { passphrase: PASSPHRASE, machineId: MACHINE_A, portable: true });
    await expect(vault.rename('A', 'B')).rejects.toMatchObject({ code: 'EKEYEXISTS' });
  });

  test('delete removes only the named key', async () => {
    const vault = await Vault.open(vaultPath);
    await vault.seal('A', Buffer.from('a'), { passphrase: PASSPHRASE, machineId: MACHINE_A, portable: true });
    await vault.seal('B', Buffer.from('b'), { passphrase: PASSPHRASE, machineId: MACHINE_A, portable: true });
    await vault.delete('A');
    expect((await Vault.openExisting(vaultPath)).names()).toEqual(['B']);
    await expect(vault.delete('A')).rejects.toMatchObject({ code: 'ENOKEY' });
  });

  test('lock held by a dead process is taken over', async () => {
    await fs.writeFile(`${vaultPath}.lock`, '999999999\n');
    const vault = await Vault.open(vaultPath);
    await vault.seal('A', Buffer.from('a'), { passphrase: PASSPHRASE, machineId: MACHINE_A, portable: true });
    expect((await Vault.openExisting(vaultPath)).names()).toEqual(['A']);
  });
});
