import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import execa from 'execa';
import { dir as temporaryDirectory, DirectoryResult } from 'tmp-promise';
import { AMULET_BIN, runAmulet } from '../support/run-amulet';
import { FIXTURES } from '../support/vectors';

const PASSPHRASE = 'made-up cli passphrase';
const HARD_VALUE = Buffer.from('a$b $HOME ${HOME} \'single\' "double" back\\slash\nnext line ünïcødé €', 'utf8');

let workspace: DirectoryResult;
let vault: string;
let passphraseFile: string;
let env: Record<string, string>;

beforeEach(async () => {
  workspace = await temporaryDirectory({ unsafeCleanup: true });
  vault = join(workspace.path, 'cli.vault');
  passphraseFile = join(workspace.path, 'passphrase');
  await fs.writeFile(passphraseFile, `${PASSPHRASE}\n`);
  const machineIdFile = join(workspace.path, 'machine-id');
  await fs.writeFile(machineIdFile, 'cafebabecafebabecafebabecafebabe\n');
  env = { AMULET_MACHINE_ID_FILE: machineIdFile };
});

afterEach(async () => {
  await workspace.cleanup();
});

async function seal(key: string, value: Buffer | string, extra: string[] = []) {
  return runAmulet(['seal', key, '--vault', vault, '--passphrase-file', passphraseFile, ...extra], { input: value, env });
}

describe('seal and unseal', () => {
  test.each([
    ['Locked', []],
    ['Portable', ['--portable']],
  ])('%s value comes back byte-exact', async (_mode, extra) => {
    const sealed = await seal('HARD', HARD_VALUE, extra);
    expect(sealed.exitCode).toBe(0);
    expect(sealed.stdout).toHaveLength(0);

    const unsealed = await runAmulet(['unseal', 'HARD', '--vault', vault], { input: `${PASSPHRASE}\n`, env });
    expect(unsealed.exitCode).toBe(0);
    expect(unsealed.stdout.equals(HARD_VALUE)).toBe(true);
  });

  test('portable seal warns on stderr', async () => {
    const sealed = await seal('P', 'v', ['--portable']);
    expect(sealed.stderr).toContain('warning: "P" is sealed Portable');
  });

  test('passphrase line may end in CRLF', async () => {
    await seal('K', 'value');
    const unsealed = await runAmulet(['unseal', 'K', '--vault', vault], { input: `${PASSPHRASE}\r\n`, env });
    expect(unsealed.stdout.toString()).toBe('value');
  });

  test('passphrase from an inherited file descriptor', async () => {
    await seal('K', 'value');
    const result = await execa('bash', ['-c', `"${process.execPath}" -- "${AMULET_BIN}" unseal K --vault "$1" --passphrase-fd 3 3<"$2"`, '-', vault, passphraseFile], {
      env,
      encoding: null,
      stripFinalNewline: false,
      reject: false,
    });
    expect(result.exitCode).toBe(0);
    expect((result.stdout as unknown as Buffer).toString()).toBe('value');
  });

  test('wrong passphrase exits 1 with empty stdout', async () => {
    await seal('K', HARD_VALUE);
    const unsealed = await runAmulet(['unseal', 'K', '--vault', vault], { input: 'wrong\n', env });
    expect(unsealed.exitCode).toBe(1);
    expect(unsealed.stdout).toHaveLength(0);
    expect(unsealed.stderr).toContain('authentication failed: wrong passphrase, or the entry is Locked to another machine');
    expect(unsealed.stderr).not.toContain('wrong\n');
  });

  test('Locked entry fails on another machine', async () => {
    await seal('K', 'value');
    const otherId = join(workspace.path, 'other-machine-id');
    await fs.writeFile(otherId, '0123456789abcdef0123456789abcdef\n');
    const unsealed = await runAmulet(['unseal', 'K', '--vault', vault], {
      input: `${PASSPHRASE}\n`,
      env: { AMULET_MACHINE_ID_FILE: otherId },
    });
    expect(unsealed.exitCode).toBe(1);
    expect(unsealed.stderr).toContain('authentication failed');
    expect(unsealed.stderr).not.toContain('0123456789abcdef');
  });

  test('Locked seal without machine id suggests --portable', async () => {
    const sealed = await runAmulet(['seal', 'K', '--vault', vault, '--passphrase-file', passphraseFile], {
      input: 'value',
      env: { AMULET_MACHINE_ID_FILE: join(workspace.path, 'absent') },
    });
    expect(sealed.exitCode).toBe(1);
    expect(sealed.stderr).toContain('this host has no machine id');
    expect(sealed.stderr).toContain('--portable');
    await expect(fs.stat(vault)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('verify prints nothing and exits 0', async () => {
    await seal('K', HARD_VALUE);
    const verified = await runAmulet(['verify', 'K', '--vault', vault], { input: `${PASSPHRASE}\n`, env });
    expect(verified.exitCode).toBe(0);
    expect(verified.stdout).toHaveLength(0);
    const failed = await runAmulet(['verify', 'K', '--vault', vault], { input: 'nope\n', env });
    expect(failed.exitCode).toBe(1);
  });

  test('vector vault opens through the CLI', async () => {
    const unsealed = await runAmulet(['unseal', 'DOLLARS', '--vault', join(FIXTURES, 'vectors', 'portable.vault')], {
      input: 'correct horse battery staple\n',
    });
    expect(unsealed.exitCode).toBe(0);
    expect(unsealed.stdout.toString('hex')).toBe('243262243130246162632e646566247b484f4d457d2424785c2479');
  });

  test('no temporary file or lock is left after seal', async () => {
    await seal('K', 'value');
    expect((await fs.readdir(workspace.path)).sort()).toEqual(['cli.vault', 'machine-id', 'passphrase']);
  });

  test('two concurrent seals both land', async () => {
    const results = await Promise.all(['FIRST', 'SECOND', 'THIRD'].map((key) => seal(key, key.toLowerCase(), ['--portable'])));
    expect(results.map((result) => result.exitCode)).toEqual([0, 0, 0]);
    const listed = await runAmulet(['list', '--vault', vault]);
    expect(listed.stdout.toString().split('\n').sort()).toEqual(['', 'FIRST', 'SECOND', 'THIRD']);
  });
});

describe('errors and exit codes', () => {
  test('missing vault exits 1', async () => {
    const result = await runAmulet(['unseal', 'K', '--vault', vault], { input: `${PASSPHRASE}\n` });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`vault ${vault} not found`);
  });

  test('missing key exits 1 before any passphrase', async () => {
    await seal('K', 'v');
    const result = await runAmulet(['unseal', 'OTHER', '--vault', vault]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('key "OTHER" not found');
  });

  test('unknown command exits 2', async () => {
    const result = await runAmulet(['frobnicate']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('amulet: error:');
  });

  test('unknown flag exits 2', async () => {
    const result = await runAmulet(['list', '--frobnicate']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Unknown argument');
  });

  test('--env-file argument does not reach node', async () => {
    // Runs the bin through its shebang, as a shell would. Node 20 reads `--env-file` even after
    // the script path unless a `--` comes first.
    const result = await execa(AMULET_BIN, ['list', '--env-file', 'absent.env'], { reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Unknown argument');
  });

  test('missing command exits 2', async () => {
    expect((await runAmulet([])).exitCode).toBe(2);
  });

  test('seal into a missing directory fails first', async () => {
    const result = await runAmulet(['seal', 'K', '--portable', '--vault', join(workspace.path, 'absent', 'v.vault'), '--passphrase-file', passphraseFile], {
      input: 'value',
      env,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`directory ${join(workspace.path, 'absent')} does not exist`);
    expect(result.stderr).not.toContain('sealed Portable');
  });

  test('corrupt vault is reported and left untouched', async () => {
    const corrupt = Buffer.from([0x00, 0x01, 0x41, 0x00, 0x00, 0x10]);
    await fs.writeFile(vault, corrupt);
    const sealed = await seal('K', 'v', ['--portable']);
    expect(sealed.exitCode).toBe(1);
    expect(sealed.stderr).toContain('entry 0, byte offset 3');
    expect(sealed.stderr).not.toContain('    at ');
    await expect(fs.readFile(vault)).resolves.toEqual(corrupt);
  });

  test('empty passphrase line is rejected', async () => {
    await seal('K', 'v');
    const result = await runAmulet(['unseal', 'K', '--vault', vault], { input: '\n', env });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('missing passphrase: the first line of stdin is empty');
  });

  test('empty passphrase file is rejected', async () => {
    await seal('K', 'v');
    await fs.writeFile(passphraseFile, '\n');
    const result = await runAmulet(['unseal', 'K', '--vault', vault, '--passphrase-file', passphraseFile], { env });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('the passphrase is empty');
  });

  test('missing passphrase file is named', async () => {
    await seal('K', 'v');
    const result = await runAmulet(['unseal', 'K', '--vault', vault, '--passphrase-file', join(workspace.path, 'absent')], { env });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`cannot read passphrase file ${join(workspace.path, 'absent')}: file not found`);
  });

  test('unknown option is named once', async () => {
    const result = await runAmulet(['list', '--pasphrase-file', 'x']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Unknown argument: pasphrase-file\n');
  });

  test('seal warns about a name compose cannot pass', async () => {
    const sealed = await seal('has space', 'v');
    expect(sealed.exitCode).toBe(0);
    expect(sealed.stderr).toContain('"has space" is not a valid environment variable name');
  });

  test('scripted seal warns about a different passphrase', async () => {
    await seal('FIRST', 'v');
    const other = join(workspace.path, 'other-passphrase');
    await fs.writeFile(other, 'another made-up passphrase\n');
    const sealed = await runAmulet(['seal', 'SECOND', '--vault', vault, '--passphrase-file', other], { input: 'w', env });
    expect(sealed.exitCode).toBe(0);
    expect(sealed.stderr).toContain('this passphrase does not open the other Locked entries');
  });
});

describe('vault management', () => {
  test('init creates an empty 0600 vault once', async () => {
    const first = await runAmulet(['init', '--vault', vault]);
    expect(first.exitCode).toBe(0);
    expect((await fs.stat(vault)).mode & 0o777).toBe(0o600);
    expect((await fs.readFile(vault)).length).toBe(0);

    const second = await runAmulet(['init', '--vault', vault]);
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toContain('already exists');
  });

  test('list prints names one per line', async () => {
    await seal('B_KEY', 'b');
    await seal('A_KEY', 'a');
    const listed = await runAmulet(['list', '--file', vault]);
    expect(listed.stdout.toString()).toBe('B_KEY\nA_KEY\n');
  });

  test('delete and rename need no passphrase', async () => {
    await seal('A', 'a');
    await seal('B', 'b');
    expect((await runAmulet(['delete', 'A', '--vault', vault])).exitCode).toBe(0);
    expect((await runAmulet(['rename', 'B', 'C', '--vault', vault])).exitCode).toBe(0);
    expect((await runAmulet(['list', '--vault', vault])).stdout.toString()).toBe('C\n');

    const unsealed = await runAmulet(['unseal', 'C', '--vault', vault], { input: `${PASSPHRASE}\n`, env });
    expect(unsealed.stdout.toString()).toBe('b');
  });

  test('probe prints the machine id', async () => {
    const probed = await runAmulet(['probe'], { env });
    expect(probed.exitCode).toBe(0);
    expect(probed.stdout.toString()).toBe('cafebabecafebabecafebabecafebabe\n');
  });

  test('probe without machine id exits 2', async () => {
    const probed = await runAmulet(['probe'], { env: { AMULET_MACHINE_ID_FILE: join(workspace.path, 'absent') } });
    expect(probed.exitCode).toBe(2);
    expect(probed.stdout).toHaveLength(0);
  });

  test.each([['version'], ['--version']])('%s prints the package version', async (flag) => {
    const result = await runAmulet([flag]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.toString()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  test.each([['help'], ['--help'], ['-h']])('%s lists the commands', async (flag) => {
    const result = await runAmulet([flag]);
    expect(result.exitCode).toBe(0);
    for (const command of ['init', 'seal', 'unseal', 'verify', 'list', 'delete', 'rename', 'compose', 'probe']) {
      expect(result.stdout.toString()).toContain(`amulet ${command}`);
    }
  });
});
