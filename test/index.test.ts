import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { dir as temporaryDirectory, DirectoryResult } from 'tmp-promise';
import {
  AmuletError,
  AuthenticationError,
  listKeys,
  openVault,
  reseal,
  seal,
  sealMany,
  unseal,
  unsealMany,
  withSecret,
  withSecrets,
} from '../src/index';

const PASSPHRASE = 'made-up api passphrase';
const MACHINE_ID = '0123456789abcdef0123456789abcdef';
const OPTIONS = { passphrase: PASSPHRASE, machineId: MACHINE_ID };

let workspace: DirectoryResult;
let vaultPath: string;

beforeEach(async () => {
  workspace = await temporaryDirectory({ unsafeCleanup: true });
  vaultPath = join(workspace.path, 'api.vault');
});

afterEach(async () => {
  await workspace.cleanup();
});

describe('seal and unseal', () => {
  test('round trip returns the bytes', async () => {
    await seal(vaultPath, 'TOKEN', Buffer.from('made-up-token'), OPTIONS);
    const value = await unseal(vaultPath, 'TOKEN', OPTIONS);
    expect(value.toString()).toBe('made-up-token');
  });

  test('Buffer passphrase works', async () => {
    const passphrase = Buffer.from(PASSPHRASE);
    await seal(vaultPath, 'TOKEN', Buffer.from('made-up-token'), { passphrase, machineId: MACHINE_ID, portable: true });
    const value = await unseal(vaultPath, 'TOKEN', { passphrase, machineId: null });
    expect(value.toString()).toBe('made-up-token');
  });

  test('caller passphrase Buffer is not zeroed', async () => {
    const passphrase = Buffer.from(PASSPHRASE);
    await seal(vaultPath, 'TOKEN', Buffer.from('made-up-token'), { passphrase, machineId: MACHINE_ID });
    expect(passphrase.toString()).toBe(PASSPHRASE);
  });

  test('sealMany writes every value', async () => {
    const result = await sealMany(vaultPath, new Map([['A', Buffer.from('a')], ['B', Buffer.from('b')]]), OPTIONS);
    expect(result).toEqual({ added: ['A', 'B'], replaced: [] });
    const values = await unsealMany(vaultPath, ['A', 'B'], OPTIONS);
    expect(values.get('A')?.toString()).toBe('a');
    expect(values.get('B')?.toString()).toBe('b');
  });

  test('listKeys returns names in file order', async () => {
    await sealMany(vaultPath, new Map([['Z', Buffer.from('z')], ['A', Buffer.from('a')]]), OPTIONS);
    expect(await listKeys(vaultPath)).toEqual(['Z', 'A']);
  });

  test('opened vault can be reused', async () => {
    await seal(vaultPath, 'A', Buffer.from('a'), OPTIONS);
    const vault = await openVault(vaultPath);
    expect(await listKeys(vault)).toEqual(['A']);
    expect((await unseal(vault, 'A', OPTIONS)).toString()).toBe('a');
  });

  test('wrong passphrase throws AuthenticationError', async () => {
    await seal(vaultPath, 'A', Buffer.from('a'), OPTIONS);
    await expect(unseal(vaultPath, 'A', { ...OPTIONS, passphrase: 'made-up wrong one' })).rejects.toThrow(AuthenticationError);
  });

  test('missing vault throws AmuletError', async () => {
    await expect(unseal(vaultPath, 'A', OPTIONS)).rejects.toMatchObject({ code: 'ENOVAULT' });
    await expect(unseal(vaultPath, 'A', OPTIONS)).rejects.toThrow(AmuletError);
  });

  test('missing key throws ENOKEY', async () => {
    await seal(vaultPath, 'A', Buffer.from('a'), OPTIONS);
    await expect(unseal(vaultPath, 'B', OPTIONS)).rejects.toMatchObject({ code: 'ENOKEY' });
  });

  test('Locked seal without machine id throws', async () => {
    await expect(seal(vaultPath, 'A', Buffer.from('a'), { passphrase: PASSPHRASE, machineId: null })).rejects.toMatchObject({
      code: 'ENOMACHINEID',
    });
  });

  test('default machine id is the host one', async () => {
    const machineIdFile = join(workspace.path, 'machine-id');
    await fs.writeFile(machineIdFile, `${MACHINE_ID}\n`);
    const previous = process.env.AMULET_MACHINE_ID_FILE;
    process.env.AMULET_MACHINE_ID_FILE = machineIdFile;
    try {
      await seal(vaultPath, 'A', Buffer.from('a'), { passphrase: PASSPHRASE });
      expect((await unseal(vaultPath, 'A', OPTIONS)).toString()).toBe('a');
    } finally {
      if (previous === undefined) {
        delete process.env.AMULET_MACHINE_ID_FILE;
      } else {
        process.env.AMULET_MACHINE_ID_FILE = previous;
      }
    }
  });

  test('checkPassphrase rejection writes nothing', async () => {
    const attempt = seal(vaultPath, 'A', Buffer.from('a'), {
      ...OPTIONS,
      checkPassphrase: () => Promise.reject(new Error('made-up cancel')),
    });
    await expect(attempt).rejects.toThrow('made-up cancel');
    await expect(fs.stat(vaultPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('withSecret', () => {
  beforeEach(async () => {
    await sealMany(vaultPath, new Map([['A', Buffer.from('made-up-a')], ['B', Buffer.from('made-up-b')]]), OPTIONS);
  });

  test('zeroes the buffer after a throwing callback', async () => {
    const thrown = new Error('made-up callback failure');
    let kept: Buffer | undefined;
    const attempt = withSecret(vaultPath, 'A', OPTIONS, (secret) => {
      kept = secret;
      throw thrown;
    });

    await expect(attempt).rejects.toBe(thrown);
    expect(kept).toHaveLength('made-up-a'.length);
    expect([...kept!].every((byte) => byte === 0)).toBe(true);
  });

  test('zeroes the buffer after a rejecting callback', async () => {
    let kept: Buffer | undefined;
    const attempt = withSecret(vaultPath, 'A', OPTIONS, async (secret) => {
      kept = secret;
      throw new Error('made-up async failure');
    });

    await expect(attempt).rejects.toThrow('made-up async failure');
    expect([...kept!].every((byte) => byte === 0)).toBe(true);
  });

  test('returns the callback result and zeroes', async () => {
    let kept: Buffer | undefined;
    const result = await withSecret(vaultPath, 'A', OPTIONS, (secret) => {
      kept = secret;
      return secret.toString();
    });

    expect(result).toBe('made-up-a');
    expect([...kept!].every((byte) => byte === 0)).toBe(true);
  });

  test('withSecrets passes every key and zeroes them', async () => {
    let kept: Buffer[] = [];
    const names = await withSecrets(vaultPath, ['A', 'B'], OPTIONS, (secrets) => {
      kept = [...secrets.values()];
      return [...secrets.entries()].map(([name, secret]) => `${name}=${secret.toString()}`);
    });

    expect(names).toEqual(['A=made-up-a', 'B=made-up-b']);
    expect(kept.every((secret) => secret.every((byte) => byte === 0))).toBe(true);
  });

  test('callback is not called when unsealing fails', async () => {
    const callback = jest.fn();
    await expect(withSecret(vaultPath, 'A', { ...OPTIONS, passphrase: 'made-up wrong one' }, callback)).rejects.toThrow(
      AuthenticationError,
    );
    expect(callback).not.toHaveBeenCalled();
  });
});

describe('reseal', () => {
  test('moves entries to the new passphrase', async () => {
    await sealMany(vaultPath, new Map([['A', Buffer.from('a')]]), OPTIONS);
    const result = await reseal(vaultPath, ['A'], { ...OPTIONS, newPassphrase: 'made-up new api passphrase' });

    expect(result).toEqual({ resealed: ['A'], skipped: [] });
    const value = await unseal(vaultPath, 'A', { ...OPTIONS, passphrase: 'made-up new api passphrase' });
    expect(value.toString()).toBe('a');
  });

  test('all skips entries that do not open', async () => {
    await seal(vaultPath, 'A', Buffer.from('a'), OPTIONS);
    await seal(vaultPath, 'B', Buffer.from('b'), { ...OPTIONS, passphrase: 'made-up other passphrase' });
    const result = await reseal(vaultPath, 'all', { ...OPTIONS, newPassphrase: 'made-up new api passphrase' });
    expect(result).toEqual({ resealed: ['A'], skipped: ['B'] });
  });

  test('named entry that does not open throws', async () => {
    await seal(vaultPath, 'A', Buffer.from('a'), OPTIONS);
    const attempt = reseal(vaultPath, ['A'], { ...OPTIONS, passphrase: 'made-up wrong one', newPassphrase: 'x' });
    await expect(attempt).rejects.toThrow(AuthenticationError);
  });
});
