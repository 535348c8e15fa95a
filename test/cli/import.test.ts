import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { parse as dotenvParse } from 'dotenv';
import { dir as temporaryDirectory, DirectoryResult } from 'tmp-promise';
import { parseEnvFile, WIPE_COMMENT } from '../../src/import/env-parse';
import { decodeBlob, parseVault } from '../../src/vault';
import { buildEnvFixture, inRanges } from '../support/env-fixture';
import { runAmulet } from '../support/run-amulet';

const PASSPHRASE = 'made-up import passphrase';

let workspace: DirectoryResult;
let vault: string;
let envFile: string;
let passphraseFile: string;
let env: Record<string, string>;

beforeEach(async () => {
  workspace = await temporaryDirectory({ unsafeCleanup: true });
  vault = join(workspace.path, 'import.vault');
  envFile = join(workspace.path, '.env');
  passphraseFile = join(workspace.path, 'passphrase');
  await fs.writeFile(passphraseFile, `${PASSPHRASE}\n`);
  const machineIdFile = join(workspace.path, 'machine-id');
  await fs.writeFile(machineIdFile, 'feedfacefeedfacefeedfacefeedface\n');
  env = { AMULET_MACHINE_ID_FILE: machineIdFile };
});

afterEach(async () => {
  await workspace.cleanup();
});

function runImport(extra: string[] = []) {
  return runAmulet(['import', '--env-file', envFile, '--vault', vault, '--passphrase-file', passphraseFile, ...extra], { env });
}

async function unsealValue(key: string): Promise<Buffer> {
  const result = await runAmulet(['unseal', key, '--vault', vault, '--passphrase-file', passphraseFile], { env });
  expect(result.exitCode).toBe(0);
  return result.stdout;
}

describe('import', () => {
  test('every syntax arrives byte-exact', async () => {
    const { data } = buildEnvFixture();
    await fs.writeFile(envFile, data);
    const expected = dotenvParse(data);
    expect(Object.fromEntries(parseEnvFile(data).values)).toEqual(expected);

    const result = await runImport();
    expect(result.exitCode).toBe(0);

    const listed = await runAmulet(['list', '--vault', vault]);
    expect(listed.stdout.toString().split('\n').filter(Boolean).sort()).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) {
      const unsealed = await unsealValue(key);
      expect({ key, equal: unsealed.equals(Buffer.from(value, 'utf8')) }).toEqual({ key, equal: true });
    }
  });

  test('mixed quotes value is exact', async () => {
    await fs.writeFile(envFile, "MIXED='it\\'s \"q\" `b` #h'\nURL=a=b=c\n");
    expect((await runImport()).exitCode).toBe(0);
    expect((await unsealValue('MIXED')).toString('utf8')).toBe('it\\\'s "q" `b` #h');
    expect((await unsealValue('URL')).toString('utf8')).toBe('a=b=c');
  });

  test('entries share one salt', async () => {
    await fs.writeFile(envFile, 'A=1\nB=2\nC=3\n');
    await runImport();
    const salts = parseVault(await fs.readFile(vault)).map((entry) => decodeBlob(entry.blob).salt.toString('hex'));
    expect(salts).toHaveLength(3);
    expect(new Set(salts).size).toBe(1);
  });

  test('second import reuses the salt', async () => {
    await fs.writeFile(envFile, 'A=1\n');
    await runImport();
    await fs.writeFile(envFile, 'B=2\n');
    await runImport();
    const salts = parseVault(await fs.readFile(vault)).map((entry) => decodeBlob(entry.blob).salt.toString('hex'));
    expect(new Set(salts).size).toBe(1);
  });

  test('summary names new and replaced keys', async () => {
    await fs.writeFile(envFile, 'OLD=1\n');
    await runImport();
    await fs.writeFile(envFile, 'OLD=2\nNEW=3\n');
    const result = await runImport();
    expect(result.stderr).toContain('new keys: NEW\n');
    expect(result.stderr).toContain('replaced keys: OLD\n');
    expect((await unsealValue('OLD')).toString()).toBe('2');
  });

  test('--portable seals Portable entries', async () => {
    await fs.writeFile(envFile, 'A=1\n');
    expect((await runImport(['--portable'])).exitCode).toBe(0);
    const [entry] = parseVault(await fs.readFile(vault));
    expect(decodeBlob(entry.blob).portable).toBe(true);
  });

  test('secrets stay out of stdout and stderr', async () => {
    await fs.writeFile(envFile, 'TOKEN=made-up-token-value\n');
    const result = await runImport();
    expect(result.stdout).toHaveLength(0);
    expect(result.stderr).not.toContain('made-up-token-value');
  });
});

describe('import of invalid lines', () => {
  const INVALID = 'A=1\n# comment\nMY TOKEN=made-up-hidden-value\nB=2\n';

  test('invalid line writes nothing', async () => {
    await fs.writeFile(envFile, 'KEEP=1\n');
    await runImport();
    const before = await fs.readFile(vault);
    await fs.writeFile(envFile, INVALID);

    const result = await runImport();
    expect(result.exitCode).toBe(1);
    expect(await fs.readFile(vault)).toEqual(before);
  });

  test('error names the line, not its content', async () => {
    await fs.writeFile(envFile, INVALID);
    const result = await runImport();
    expect(result.stderr).toContain('invalid line(s) 3 in');
    expect(result.stderr).not.toContain('made-up-hidden-value');
    expect(result.stderr).not.toContain('MY TOKEN');
  });

  test('invalid line creates no vault', async () => {
    await fs.writeFile(envFile, INVALID);
    await runImport();
    await expect(fs.stat(vault)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('--skip-invalid imports the rest', async () => {
    await fs.writeFile(envFile, INVALID);
    const result = await runImport(['--skip-invalid']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('skipped invalid line(s) 3 of');
    const listed = await runAmulet(['list', '--vault', vault]);
    expect(listed.stdout.toString()).toBe('A\nB\n');
  });

  test('file without variables fails', async () => {
    await fs.writeFile(envFile, '# only a comment\n');
    const result = await runImport();
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('no variables found');
  });

  test('invalid UTF-8 fails', async () => {
    await fs.writeFile(envFile, Buffer.from([0x41, 0x3d, 0xff, 0x0a]));
    const result = await runImport();
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('is not valid UTF-8');
  });
});

describe('import --manifest', () => {
  test('writes the names, truncating', async () => {
    const manifest = join(workspace.path, 'keys.txt');
    await fs.writeFile(manifest, 'STALE_1\nSTALE_2\nSTALE_3\nSTALE_4\n');
    await fs.writeFile(envFile, 'B=1\nA=2\nB=3\n');
    expect((await runImport(['--manifest', manifest])).exitCode).toBe(0);
    expect(await fs.readFile(manifest, 'utf8')).toBe('B\nA\n');
  });
});

describe('import --wipe', () => {
  test('keeps length and every non-value byte', async () => {
    const { data, valueRanges } = buildEnvFixture();
    await fs.writeFile(envFile, data);
    expect((await runImport(['--wipe'])).exitCode).toBe(0);

    const wiped = await fs.readFile(envFile);
    expect(wiped.length).toBe(data.length);
    for (let offset = 0; offset < data.length; offset += 1) {
      const keepsByte = !inRanges(valueRanges, offset) || data[offset] === 0x0a || data[offset] === 0x0d;
      const expected = keepsByte ? data[offset] : 0x20;
      expect({ offset, byte: wiped[offset] }).toEqual({ offset, byte: expected });
    }
  });

  test('wiped values are sealed first', async () => {
    await fs.writeFile(envFile, 'A=made-up-a\n');
    await runImport(['--wipe']);
    expect((await unsealValue('A')).toString()).toBe('made-up-a');
  });

  test('keeps the inode and hard links', async () => {
    await fs.writeFile(envFile, 'A=made-up-a\n');
    await fs.chmod(envFile, 0o640);
    const link = join(workspace.path, 'hard-link.env');
    await fs.link(envFile, link);
    const before = await fs.stat(envFile);

    await runImport(['--wipe']);
    const after = await fs.stat(envFile);
    expect(after.ino).toBe(before.ino);
    expect(after.mode & 0o777).toBe(0o640);
    expect(await fs.readFile(link, 'utf8')).toBe(`A=${' '.repeat('made-up-a'.length)}\n`);
  });

  test('prints the best-effort warning', async () => {
    await fs.writeFile(envFile, 'A=1\n');
    const result = await runImport(['--wipe']);
    expect(result.stderr).toContain('wiping is best-effort');
  });

  test('--wipe-comment appends the comment once', async () => {
    await fs.writeFile(envFile, 'A=1\nB=2');
    expect((await runImport(['--wipe', '--wipe-comment'])).exitCode).toBe(0);
    expect(await fs.readFile(envFile, 'utf8')).toBe(`A= \nB= \n${WIPE_COMMENT}\n`);

    expect((await runImport(['--wipe', '--wipe-comment'])).exitCode).toBe(0);
    expect(await fs.readFile(envFile, 'utf8')).toBe(`A= \nB= \n${WIPE_COMMENT}\n`);
  });

  test('--wipe-comment without --wipe exits 2', async () => {
    await fs.writeFile(envFile, 'A=1\n');
    const result = await runImport(['--wipe-comment']);
    expect(result.exitCode).toBe(2);
    await expect(fs.stat(vault)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('symlink is rejected before sealing', async () => {
    const target = join(workspace.path, 'real.env');
    await fs.writeFile(target, 'A=made-up-a\n');
    await fs.symlink(target, envFile);

    const result = await runImport(['--wipe']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('is a symbolic link');
    await expect(fs.stat(vault)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await fs.readFile(target, 'utf8')).toBe('A=made-up-a\n');
  });

  test('directory is rejected before sealing', async () => {
    await fs.mkdir(envFile);
    const result = await runImport(['--wipe']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('is not a regular file');
    await expect(fs.stat(vault)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('symlink without --wipe is read', async () => {
    const target = join(workspace.path, 'real.env');
    await fs.writeFile(target, 'A=made-up-a\n');
    await fs.symlink(target, envFile);
    expect((await runImport()).exitCode).toBe(0);
  });
});
