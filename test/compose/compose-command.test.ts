// `amulet compose` against a fake engine on PATH, for what cannot run here: Docker Compose v2's
// env-file dialect, podman compose, and signals and exit codes under control of the test.

import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { AMULET_BIN, runAmulet } from '../support/run-amulet';
import {
  ComposeWorkspace,
  createComposeWorkspace,
  fakePath,
  HARD_VALUES,
  installFakeEngine,
  leftoverEnvDirectories,
  startAmulet,
  TEST_PASSPHRASE,
  waitForFile,
} from '../support/compose-fixture';
import { parseComposeGoDotenv } from './compose-go-dotenv';

let workspace: ComposeWorkspace;

beforeEach(async () => {
  workspace = await createComposeWorkspace(HARD_VALUES);
  await installFakeEngine(workspace, ['docker']);
});

afterEach(async () => {
  await workspace.cleanup();
});

function composeEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: fakePath(workspace),
    HOME: workspace.path,
    FAKE_COMPOSE_CAPTURE: workspace.capture,
    ...extra,
  };
}

function amuletArgs(...composeArgs: string[]): string[] {
  return ['compose', '--vault', workspace.vault, '--passphrase-file', workspace.passphraseFile, '--tmpdir', join(workspace.path, 'tmp'), ...composeArgs];
}

async function run(composeArgs: string[], extra: Record<string, string> = {}, input?: string) {
  return runAmulet(amuletArgs(...composeArgs), { env: composeEnv(extra), cwd: workspace.path, input });
}

async function capturedArgv(): Promise<string[]> {
  const raw = await fs.readFile(join(workspace.capture, 'argv'), 'utf8');
  return raw.split('\0').slice(0, -1);
}

async function capturedEnvironment(): Promise<Map<string, string>> {
  const raw = await fs.readFile(join(workspace.capture, 'environ'), 'utf8');
  const entries = raw
    .split('\0')
    .filter((entry) => entry !== '')
    .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)] as [string, string]);
  return new Map(entries);
}

describe('Compose v2 dialect through a fake docker', () => {
  test('env file decodes to the sealed bytes', async () => {
    const result = await run(['up', '-d']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);

    const decoded = parseComposeGoDotenv(await fs.readFile(join(workspace.capture, 'env-file')), (name) =>
      name === 'HOME' ? '/should-not-be-used' : undefined,
    );
    for (const [name, value] of Object.entries(HARD_VALUES)) {
      expect([name, decoded.get(name)?.toString('utf8')]).toEqual([name, value]);
    }
  });

  test('compose gets --env-file before its arguments', async () => {
    await run(['-p', 'demo', 'up', '-d']);
    const argv = await capturedArgv();
    const envFilePath = await fs.readFile(join(workspace.capture, 'env-file-path'), 'utf8');
    expect(argv.slice(1)).toEqual(['compose', '--env-file', envFilePath, '-p', 'demo', 'up', '-d']);
    expect(envFilePath.startsWith(join(workspace.path, 'tmp', 'amulet-compose-'))).toBe(true);
  });

  test('env file has mode 0600', async () => {
    await run(['up']);
    expect(await fs.readFile(join(workspace.capture, 'env-file-mode'), 'utf8')).toBe('600\n');
  });

  test('no secret in argv or environment of compose', async () => {
    await run(['up']);
    const argv = (await capturedArgv()).join('\n');
    const environment = [...(await capturedEnvironment()).entries()].map(([name, value]) => `${name}=${value}`).join('\n');
    for (const [name, value] of Object.entries(HARD_VALUES)) {
      if (value.length < 4) {
        continue;
      }
      expect([name, argv.includes(value)]).toEqual([name, false]);
      expect([name, environment.includes(value)]).toEqual([name, false]);
    }
    expect(environment.includes(TEST_PASSPHRASE)).toBe(false);
  });

  test('shell variable of the same name is removed', async () => {
    const result = await run(['up'], { DOLLAR: 'stale value from the shell', UNRELATED: 'kept' });
    const environment = await capturedEnvironment();
    expect(environment.has('DOLLAR')).toBe(false);
    expect(environment.get('UNRELATED')).toBe('kept');
    expect(result.stderr).toContain('removed DOLLAR from the environment of compose');
    expect(result.stderr).not.toContain('stale value');
  });

  test('only the named keys are unsealed', async () => {
    const result = await run(['--key', 'DOLLAR,UNICODE', '--key', 'PEM', 'up']);
    expect(result.exitCode).toBe(0);
    const decoded = parseComposeGoDotenv(await fs.readFile(join(workspace.capture, 'env-file')));
    expect([...decoded.keys()].sort()).toEqual(['DOLLAR', 'PEM', 'UNICODE']);
  });

  test('manifest selects the keys', async () => {
    const manifest = join(workspace.path, 'keys.txt');
    await fs.writeFile(manifest, '# keys for this stack\nHASH\n\nEQUALS\n');
    const result = await run(['--manifest', manifest, 'up']);
    expect(result.exitCode).toBe(0);
    const decoded = parseComposeGoDotenv(await fs.readFile(join(workspace.capture, 'env-file')));
    expect([...decoded.keys()].sort()).toEqual(['EQUALS', 'HASH']);
  });

  test('project .env is kept and the vault wins', async () => {
    await fs.writeFile(join(workspace.path, '.env'), 'PROJECT_SETTING=from-dotenv\nDOLLAR=overridden-by-vault\n');
    await run(['up']);
    const decoded = parseComposeGoDotenv(await fs.readFile(join(workspace.capture, 'env-file')));
    expect(decoded.get('PROJECT_SETTING')?.toString()).toBe('from-dotenv');
    expect(decoded.get('DOLLAR')?.toString()).toBe(HARD_VALUES.DOLLAR);
  });

  test('user --env-file is folded in and removed from argv', async () => {
    await fs.mkdir(join(workspace.path, 'config'));
    await fs.writeFile(join(workspace.path, 'config', 'user.env'), 'USER_SETTING=1\n');
    await fs.writeFile(join(workspace.path, '.env'), 'PROJECT_SETTING=ignored\n');
    await run(['--env-file', 'config/user.env', 'up']);

    const argv = await capturedArgv();
    expect(argv.filter((argument) => argument === '--env-file')).toHaveLength(1);
    expect(argv).not.toContain('config/user.env');
    const decoded = parseComposeGoDotenv(await fs.readFile(join(workspace.capture, 'env-file')));
    expect(decoded.get('USER_SETTING')?.toString()).toBe('1');
    // An explicit --env-file replaces the project .env, as in compose itself.
    expect(decoded.has('PROJECT_SETTING')).toBe(false);
  });

  test('unclosed quote in .env is rejected', async () => {
    await fs.writeFile(join(workspace.path, '.env'), 'PROJECT_SETTING="never closed\n');
    const result = await run(['up']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`env file ${join(workspace.path, '.env')} has a quoted value at line 1 that is never closed`);
    await expect(fs.access(join(workspace.capture, 'argv'))).rejects.toThrow();
  });

  test('missing user --env-file is an error', async () => {
    const result = await run(['--env-file', 'absent.env', 'up']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`cannot read env file ${join(workspace.path, 'absent.env')}`);
    expect(await leftoverEnvDirectories(join(workspace.path, 'tmp'))).toEqual([]);
  });

  test('--verbose names the engine and why', async () => {
    const result = await run(['--verbose', 'up']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('engine: docker (docker compose: Docker Compose version v2.29.7)');
    expect(result.stderr).toContain('env file dialect: compose-go');
  });
});

describe('exit codes', () => {
  test.each([0, 1, 3, 42])('compose exit %i passes through', async (code) => {
    const result = await run(['up'], { FAKE_COMPOSE_BEHAVIOR: `exit-${code}` });
    expect(result.exitCode).toBe(code);
    expect(await leftoverEnvDirectories(join(workspace.path, 'tmp'))).toEqual([]);
  });

  test('compose killed by SIGTERM gives 143', async () => {
    const result = await run(['up'], { FAKE_COMPOSE_BEHAVIOR: 'die-TERM' });
    expect(result.exitCode).toBe(143);
    expect(await leftoverEnvDirectories(join(workspace.path, 'tmp'))).toEqual([]);
  });
});

describe('signals', () => {
  test.each([
    ['SIGINT', 'INT', 130],
    ['SIGTERM', 'TERM', 143],
    ['SIGHUP', 'HUP', 129],
  ] as const)('%s is relayed and the file removed', async (signal, recorded, expectedCode) => {
    const child = startAmulet(amuletArgs('up'), composeEnv({ FAKE_COMPOSE_BEHAVIOR: 'sleep' }), workspace.path);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await waitForFile(join(workspace.capture, 'ready'));
    expect(await leftoverEnvDirectories(join(workspace.path, 'tmp'))).toHaveLength(1);

    child.kill(signal);
    expect(await exited).toBe(expectedCode);
    expect(await fs.readFile(join(workspace.capture, 'signals'), 'utf8')).toBe(`${recorded}\n`);
    expect(await leftoverEnvDirectories(join(workspace.path, 'tmp'))).toEqual([]);
  });

  test('second SIGINT reaches compose too', async () => {
    const child = startAmulet(amuletArgs('up'), composeEnv({ FAKE_COMPOSE_BEHAVIOR: 'sleep-twice' }), workspace.path);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await waitForFile(join(workspace.capture, 'ready'));

    child.kill('SIGINT');
    await waitForFile(join(workspace.capture, 'signals'));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(await fs.readFile(join(workspace.capture, 'signals'), 'utf8')).toBe('INT\nINT\n');
    expect(await leftoverEnvDirectories(join(workspace.path, 'tmp'))).toEqual([]);
  });

  test('SIGTERM while waiting for the passphrase ends amulet', async () => {
    const child = spawn(process.execPath, ['--', AMULET_BIN, 'compose', '--vault', workspace.vault, '--tmpdir', join(workspace.path, 'tmp'), 'up'], {
      env: composeEnv(),
      cwd: workspace.path,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    const safety = setTimeout(() => child.kill('SIGKILL'), 15_000);
    exited.finally(() => clearTimeout(safety));
    // stdin stays open and empty, so amulet waits for the first line.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    child.kill('SIGTERM');
    expect(await exited).toBe('SIGTERM');
    await expect(fs.access(join(workspace.capture, 'argv'))).rejects.toThrow();
    expect(await leftoverEnvDirectories(join(workspace.path, 'tmp'))).toEqual([]);
  });

  test('file left by SIGKILL is swept by the next run', async () => {
    const child = startAmulet(amuletArgs('up'), composeEnv({ FAKE_COMPOSE_BEHAVIOR: 'sleep' }), workspace.path);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await waitForFile(join(workspace.capture, 'ready'));
    const fakePid = Number(await fs.readFile(join(workspace.capture, 'pid'), 'utf8'));

    child.kill('SIGKILL');
    await exited;
    process.kill(fakePid, 'SIGKILL');
    const left = await leftoverEnvDirectories(join(workspace.path, 'tmp'));
    expect(left).toHaveLength(1);

    const next = await run(['up']);
    expect(next.exitCode).toBe(0);
    expect(next.stderr).toContain(`removed ${join(workspace.path, 'tmp', left[0])}`);
    expect(await leftoverEnvDirectories(join(workspace.path, 'tmp'))).toEqual([]);
  });
});

describe('secret-free commands and dry runs', () => {
  test.each(['down', 'ps', 'logs', 'stop'])('%s needs no passphrase', async (subcommand) => {
    const result = await runAmulet(['compose', '--vault', workspace.vault, '--tmpdir', join(workspace.path, 'tmp'), subcommand], {
      env: composeEnv(),
      cwd: workspace.path,
    });
    expect(result.exitCode).toBe(0);
    const decoded = parseComposeGoDotenv(await fs.readFile(join(workspace.capture, 'env-file')));
    expect([...decoded.keys()].sort()).toEqual(Object.keys(HARD_VALUES).sort());
    expect([...decoded.values()].every((value) => value.length === 0)).toBe(true);
  });

  test('dry run prints masked values and runs nothing', async () => {
    const result = await runAmulet(['compose', '--vault', workspace.vault, '--dry-run', '-p', 'demo', 'up', '-d'], {
      env: composeEnv(),
      cwd: workspace.path,
    });
    expect(result.exitCode).toBe(0);
    const output = result.stdout.toString();
    expect(output).toContain('engine: docker');
    expect(output).toContain('compose --env-file <temporary env file> -p demo up -d');
    expect(output).toContain('DOLLAR=********');
    expect(output).toContain('nothing was run (--dry-run)');
    await expect(fs.access(join(workspace.capture, 'argv'))).rejects.toThrow();
  });

  test('dry run works without any engine', async () => {
    const empty = join(workspace.path, 'empty-bin');
    await fs.mkdir(empty);
    const result = await runAmulet(['compose', '--vault', workspace.vault, '--dry-run', 'config'], {
      env: { PATH: empty },
      cwd: workspace.path,
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.toString()).toContain('engine: none found (no compose engine found; tried docker compose');
    expect(result.stdout.toString()).toContain('command: <compose engine> --env-file <temporary env file> config');
  });

  test('missing engine lists what was tried', async () => {
    const empty = join(workspace.path, 'empty-bin');
    await fs.mkdir(empty);
    const result = await runAmulet(['compose', '--vault', workspace.vault, '--passphrase-file', workspace.passphraseFile, 'config'], {
      env: { PATH: empty },
      cwd: workspace.path,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('no compose engine found; tried docker compose: docker not found on PATH; docker-compose: not found on PATH');
  });

  test('dry run of down shows empty values', async () => {
    const result = await runAmulet(['compose', '--vault', workspace.vault, '--dry-run', 'down'], { env: composeEnv(), cwd: workspace.path });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.toString()).toContain('every key set to empty');
    expect(result.stdout.toString()).toContain('\nDOLLAR=\n');
  });

  test('--check without --dry-run is a usage error', async () => {
    const result = await run(['--check', 'up']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--check works only with --dry-run');
  });

  test('dry run with --check fails on a wrong passphrase', async () => {
    const wrong = join(workspace.path, 'wrong-passphrase');
    await fs.writeFile(wrong, 'not the passphrase\n');
    const result = await runAmulet(['compose', '--vault', workspace.vault, '--dry-run', '--check', '--passphrase-file', wrong, 'up'], {
      env: composeEnv(),
      cwd: workspace.path,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('authentication failed');
  });

  test('passphrase from the first line of stdin', async () => {
    const result = await runAmulet(['compose', '--vault', workspace.vault, '--tmpdir', join(workspace.path, 'tmp'), 'up'], {
      env: composeEnv(),
      cwd: workspace.path,
      input: `${TEST_PASSPHRASE}\nrest of stdin for compose\n`,
    });
    expect(result.exitCode).toBe(0);
  });
});

describe('rejected input', () => {
  /** Runs `amulet compose up` on a workspace of its own whose vault contains `values`. */
  async function composeUpWith(values: Record<string, string>) {
    const bad = await createComposeWorkspace(values);
    await installFakeEngine(bad, ['docker']);
    try {
      const result = await runAmulet(
        ['compose', '--vault', bad.vault, '--passphrase-file', bad.passphraseFile, '--tmpdir', join(bad.path, 'tmp'), 'up'],
        { env: { PATH: fakePath(bad), FAKE_COMPOSE_CAPTURE: bad.capture }, cwd: bad.path },
      );
      const composeRan = await fs.access(join(bad.capture, 'argv')).then(() => true, () => false);
      const leftovers = await leftoverEnvDirectories(join(bad.path, 'tmp'));
      return { result, composeRan, leftovers };
    } finally {
      await bad.cleanup();
    }
  }

  test('invalid variable name is rejected before compose runs', async () => {
    const { result, composeRan } = await composeUpWith({ 'NOT-VALID': 'x' });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('NOT-VALID');
    expect(composeRan).toBe(false);
  });

  test('NUL byte in a value is rejected without showing it', async () => {
    const { result, composeRan, leftovers } = await composeUpWith({ WITH_NUL: 'before\0after-secret' });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('WITH_NUL');
    expect(result.stderr).not.toContain('after-secret');
    expect(composeRan).toBe(false);
    expect(leftovers).toEqual([]);
  });

  test('unknown key is reported before any passphrase', async () => {
    const result = await runAmulet(['compose', '--vault', workspace.vault, '--key', 'ABSENT', 'up'], {
      env: composeEnv(),
      cwd: workspace.path,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('key "ABSENT" not found');
  });

  test('missing compose arguments is a usage error', async () => {
    const result = await runAmulet(['compose', '--vault', workspace.vault], { env: composeEnv(), cwd: workspace.path });
    expect(result.exitCode).toBe(2);
  });

  test('chosen engine that is missing names what was tried', async () => {
    // PATH holds only the fake docker, so that an installed podman-compose is not found.
    const result = await run(['up'], { AMULET_COMPOSE_ENGINE: 'podman-compose', PATH: workspace.bin });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('podman-compose: not found on PATH');
  });
});

describe('podman compose', () => {
  test('provider version picks the dialect', async () => {
    await installFakeEngine(workspace, ['podman']);
    const result = await run(['--verbose', 'up'], {
      AMULET_COMPOSE_ENGINE: 'podman',
      FAKE_COMPOSE_VERSION: 'docker-compose version 1.29.2, build unknown',
    });
    expect(result.exitCode).toBe(0);
    const argv = await capturedArgv();
    expect(argv[1]).toBe('compose');
    expect(argv[2]).toBe('--env-file');
    expect(result.stderr).toContain('env file dialect: python-dotenv');
  });

  test('old podman-compose provider is rejected', async () => {
    await installFakeEngine(workspace, ['podman']);
    const result = await run(['up'], {
      AMULET_COMPOSE_ENGINE: 'podman',
      FAKE_COMPOSE_VERSION: 'podman-composer version  1.0.3',
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('its provider podman-compose 1.0.3 has no --env-file option');
    await expect(fs.access(join(workspace.capture, 'argv'))).rejects.toThrow();
  });

  test('stopped podman machine gets a clear error', async () => {
    const { checkPodmanMachine } = await import('../../src/compose/engine');
    const podman = join(workspace.bin, 'podman');
    // Jest gives the test its own process.env, which child processes do not see, so the fake
    // podman that cannot reach its machine is a script of its own.
    await fs.writeFile(podman, "#!/bin/sh\necho 'Cannot connect to Podman.' >&2\nexit 125\n", { mode: 0o755 });
    const engine = { name: 'podman' as const, command: podman, prefixArgs: ['compose'], dialect: 'compose-go' as const, version: '', reason: '' };

    await expect(checkPodmanMachine(engine, 'darwin')).rejects.toMatchObject({
      message: 'podman cannot reach its machine (the VM that runs containers)',
      hint: expect.stringContaining('podman machine start'),
    });
    await expect(checkPodmanMachine(engine, 'linux')).resolves.toBeUndefined();
  });
});
