// Commands that need no key must not load the Argon2 addon, the compose wrapper or the terminal
// prompt, so that they start about as fast as node itself.

import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import execa from 'execa';
import { dir as temporaryDirectory, DirectoryResult } from 'tmp-promise';
import { AMULET_BIN } from '../support/run-amulet';

let workspace: DirectoryResult;

beforeAll(async () => {
  workspace = await temporaryDirectory({ unsafeCleanup: true });
  await fs.writeFile(join(workspace.path, 'amulet.vault'), Buffer.alloc(0));
});

afterAll(async () => {
  await workspace.cleanup();
});

async function loadedModules(args: string[]): Promise<string[]> {
  const log = join(workspace.path, 'modules.log');
  const result = await execa(process.execPath, ['--require', join(__dirname, '..', 'support', 'record-modules.js'), '--', AMULET_BIN, ...args], {
    cwd: workspace.path,
    env: { AMULET_TEST_MODULE_LOG: log },
    reject: false,
  });
  expect(result.exitCode).toBe(0);
  return (await fs.readFile(log, 'utf8')).split('\n');
}

const HEAVY_MODULES = [/node_modules\/argon2\//, /dist\/compose\//, /dist\/cli\/io\.js$/, /dist\/cli\/passphrase\.js$/];

test.each([[['list']], [['help']], [['--help']], [['probe']]])('%j loads no key or prompt code', async (args) => {
  const modules = await loadedModules(args);
  for (const pattern of HEAVY_MODULES) {
    expect([pattern.source, modules.filter((path) => pattern.test(path))]).toEqual([pattern.source, []]);
  }
});

test('version loads nothing from dist', async () => {
  const modules = await loadedModules(['version']);
  expect(modules.filter((path) => path.includes('/dist/'))).toEqual([]);
});
