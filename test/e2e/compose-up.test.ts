// `amulet compose` end to end with real engines: docker-compose v1.29 runs a real busybox
// container through podman's Docker-compatible API, and the container writes back its environment.

import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { runAmulet } from '../support/run-amulet';
import { ComposeWorkspace, createComposeWorkspace, HARD_VALUES, leftoverEnvDirectories } from '../support/compose-fixture';
import { E2E_IMAGE, engineSkipReason, ensurePodmanService, requireOrSkip } from './engines';

const describeE2e = requireOrSkip(engineSkipReason(['podman', 'docker-compose'])) ? describe : describe.skip;

const NAMES = Object.keys(HARD_VALUES);

/** Builds a service that writes each variable to /out/<NAME>; `$$` is compose's escape for `$`. */
function composeFile(): string {
  const script = NAMES.map((name) => `printf %s "$$${name}" > /out/${name}`).join(' && ');
  return [
    'version: "3.8"',
    'services:',
    '  probe:',
    `    image: ${E2E_IMAGE}`,
    '    volumes: ["./out:/out"]',
    `    command: ["sh", "-c", ${JSON.stringify(script)}]`,
    '    environment:',
    ...NAMES.map((name) => `      - ${name}=\${${name}}`),
    '',
  ].join('\n');
}

describeE2e('amulet compose with docker-compose v1 and podman', () => {
  let workspace: ComposeWorkspace;
  let env: Record<string, string>;
  const project = `amulet-e2e-up-${process.pid}`;

  function compose(args: string[], options: { passphrase?: boolean; extraEnv?: Record<string, string> } = {}) {
    const passphrase = options.passphrase === false ? [] : ['--passphrase-file', workspace.passphraseFile];
    return runAmulet(
      ['compose', '--engine', 'docker-compose', '--vault', workspace.vault, ...passphrase, '--tmpdir', join(workspace.path, 'tmp'), '-p', project, ...args],
      { env: { ...env, ...options.extraEnv }, cwd: workspace.path },
    );
  }

  beforeAll(async () => {
    const { dockerHost } = await ensurePodmanService();
    workspace = await createComposeWorkspace(HARD_VALUES);
    env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: workspace.path, DOCKER_HOST: dockerHost };
    await fs.mkdir(join(workspace.path, 'out'));
    await fs.writeFile(join(workspace.path, 'docker-compose.yml'), composeFile());
  }, 11 * 60 * 1000);

  afterAll(async () => {
    if (workspace === undefined) {
      return;
    }
    const down = await compose(['down', '--remove-orphans', '--timeout', '1'], { passphrase: false });
    await workspace.cleanup();
    if (down.exitCode !== 0) {
      throw new Error(`amulet compose down failed:\n${down.stderr}`);
    }
  });

  describe('up', () => {
    let exitCode: number;
    let stderr: string;

    beforeAll(async () => {
      // A stale shell variable must not win over the vault.
      const result = await compose(['up', '--exit-code-from', 'probe', 'probe'], { extraEnv: { DOLLAR: 'stale-shell-value' } });
      exitCode = result.exitCode;
      stderr = result.stderr;
    });

    test('exits 0', () => {
      expect([exitCode, stderr]).toEqual([0, expect.any(String)]);
    });

    test.each(NAMES)('container sees %s byte-exact', async (name) => {
      const seen = await fs.readFile(join(workspace.path, 'out', name));
      expect(seen.toString('hex')).toBe(Buffer.from(HARD_VALUES[name], 'utf8').toString('hex'));
    });

    test('shell variable is removed, by name only', () => {
      expect(stderr).toContain('removed DOLLAR from the environment of compose');
      expect(stderr).not.toContain('stale-shell-value');
    });

    test('no env file is left behind', async () => {
      expect(await leftoverEnvDirectories(join(workspace.path, 'tmp'))).toEqual([]);
    });
  });

  test('container exit code passes through', async () => {
    const failing = join(workspace.path, 'failing.yml');
    await fs.writeFile(failing, ['version: "3.8"', 'services:', '  fail:', `    image: ${E2E_IMAGE}`, '    command: ["sh", "-c", "exit 7"]', ''].join('\n'));
    const result = await compose(['-f', failing, 'up', '--exit-code-from', 'fail', 'fail']);
    expect(result.exitCode).toBe(7);
    await compose(['-f', failing, 'down', '--timeout', '1'], { passphrase: false });
    expect(await leftoverEnvDirectories(join(workspace.path, 'tmp'))).toEqual([]);
  });

  test('config masks every value', async () => {
    const result = await compose(['config']);
    expect(result.exitCode).toBe(0);
    const output = result.stdout.toString('utf8');
    expect(output).toContain('********');
    expect(output).toContain(E2E_IMAGE);
    for (const [name, value] of Object.entries(HARD_VALUES)) {
      if (value.trim().length < 4) {
        continue;
      }
      expect([name, output.includes(value)]).toEqual([name, false]);
      expect([name, output.includes(value.replace(/\$/g, '$$$$'))]).toEqual([name, false]);
    }
  });

  test('config --reveal shows the values', async () => {
    const result = await runAmulet(
      ['compose', '--engine', 'docker-compose', '--reveal', '--vault', workspace.vault, '--passphrase-file', workspace.passphraseFile, '--tmpdir', join(workspace.path, 'tmp'), 'config'],
      { env, cwd: workspace.path },
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout.toString('utf8')).toContain('value #not-a-comment');
  });

  test('bundled example tears down without a passphrase', async () => {
    // The example refers to its key as ${OPENAI_API_KEY?message}, which accepts the empty value
    // that teardown commands get.
    const examples = join(__dirname, '..', '..', 'compose-examples');
    const result = await runAmulet(
      ['compose', '--engine', 'docker-compose', '--vault', join(examples, 'demo.vault'), '--tmpdir', join(workspace.path, 'tmp'), '-p', `${project}-example`, '-f', join(examples, 'openai-service', 'docker-compose.yml'), 'down'],
      { env, cwd: workspace.path },
    );
    expect([result.exitCode, result.stderr]).toEqual([0, expect.not.stringContaining('error')]);
  });

  test('ps needs no passphrase', async () => {
    const result = await compose(['ps'], { passphrase: false });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).not.toContain('is not set');
  });
});
