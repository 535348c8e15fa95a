// Interactive use at a real terminal (a pseudo-terminal from util-linux `script`): hidden input,
// passphrase confirmation and the warning for a passphrase that differs from the vault's.

import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { dir as temporaryDirectory, DirectoryResult } from 'tmp-promise';
import { AMULET_BIN, runAmulet } from '../support/run-amulet';
import { runOnTerminal } from '../support/terminal-session';

const SECRET = 'made-up-terminal-secret';
const PASSPHRASE = 'made-up terminal passphrase';

let workspace: DirectoryResult;
let vault: string;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  workspace = await temporaryDirectory({ unsafeCleanup: true });
  vault = join(workspace.path, 'tty.vault');
  const machineId = join(workspace.path, 'machine-id');
  await fs.writeFile(machineId, 'feedfacefeedfacefeedfacefeedface\n');
  env = { AMULET_MACHINE_ID_FILE: machineId };
});

afterEach(async () => {
  await workspace.cleanup();
});

function amulet(args: string): string {
  return `"${process.execPath}" -- "${AMULET_BIN}" ${args}`;
}

async function sealInteractively(key: string, passphrase: string, extraAnswers: Array<{ prompt: string; input: string }> = []) {
  return runOnTerminal(
    amulet(`seal ${key} --vault "${vault}"`),
    [
      { prompt: 'Secret (input hidden): ', input: SECRET },
      { prompt: 'Passphrase: ', input: passphrase },
      ...extraAnswers,
    ],
    { cwd: workspace.path, env },
  );
}

test('seal into a new vault asks twice and echoes nothing', async () => {
  const session = await sealInteractively('K', PASSPHRASE, [{ prompt: 'Repeat passphrase: ', input: PASSPHRASE }]);
  expect(session.exitCode).toBe(0);
  expect(session.screen).not.toContain(SECRET);
  expect(session.screen).not.toContain(PASSPHRASE);

  const unsealed = await runAmulet(['unseal', 'K', '--vault', vault], { input: `${PASSPHRASE}\n`, env });
  expect(unsealed.stdout.toString()).toBe(SECRET);
});

test('mismatched repeat seals nothing', async () => {
  const session = await sealInteractively('K', PASSPHRASE, [{ prompt: 'Repeat passphrase: ', input: 'typo' }]);
  expect(session.exitCode).toBe(1);
  expect(session.screen).toContain('the two passphrases do not match; nothing sealed');
  await expect(fs.stat(vault)).rejects.toMatchObject({ code: 'ENOENT' });
});

test('different passphrase warns and can be declined', async () => {
  await sealInteractively('FIRST', PASSPHRASE, [{ prompt: 'Repeat passphrase: ', input: PASSPHRASE }]);
  const before = await fs.readFile(vault);

  const session = await sealInteractively('SECOND', 'another passphrase', [
    { prompt: 'Seal with a different passphrase anyway? [y/N] ', input: 'n' },
  ]);
  expect(session.exitCode).toBe(1);
  expect(session.screen).toContain('this passphrase does not open the other entries');
  expect((await fs.readFile(vault)).equals(before)).toBe(true);
});

test('same passphrase needs no confirmation', async () => {
  await sealInteractively('FIRST', PASSPHRASE, [{ prompt: 'Repeat passphrase: ', input: PASSPHRASE }]);
  const session = await sealInteractively('SECOND', PASSPHRASE);
  expect(session.exitCode).toBe(0);
  expect(session.screen).not.toContain('Repeat passphrase');
  expect(session.screen).not.toContain('warning');
});

test('unseal --tty reads the passphrase at the terminal', async () => {
  await sealInteractively('K', PASSPHRASE, [{ prompt: 'Repeat passphrase: ', input: PASSPHRASE }]);
  const session = await runOnTerminal(amulet(`unseal K --tty --vault "${vault}"`), [{ prompt: 'Passphrase: ', input: PASSPHRASE }], {
    cwd: workspace.path,
    env,
  });
  expect(session.exitCode).toBe(0);
  expect(session.screen.endsWith(SECRET)).toBe(true);
});
