// Detection of the compose engine to run and of the env-file dialect it parses.

import { execFile } from 'node:child_process';
import { accessSync, constants, openSync, readSync, closeSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { AmuletError, usageError } from '../vault/errors';
import type { EngineChoice } from './arguments';
import type { EnvFileDialect } from './env-file';

export type EngineName = Exclude<EngineChoice, 'auto'>;

export interface Engine {
  name: EngineName;
  /** Executable and the arguments that come before compose's own, e.g. `docker compose`. */
  command: string;
  prefixArgs: string[];
  dialect: EnvFileDialect;
  /** First line of the engine's version output, or what amulet read instead. */
  version: string;
  /** Reason for the choice, printed with --verbose. */
  reason: string;
}

/** Finds an executable on PATH, like `command -v`. */
export function findExecutable(name: string, pathVariable = process.env.PATH ?? ''): string | null {
  const extensions = process.platform === 'win32' ? ['.exe', '.cmd', '.bat', ''] : [''];
  for (const directory of pathVariable.split(delimiter)) {
    if (directory === '') {
      continue;
    }
    for (const extension of extensions) {
      const candidate = join(directory, name + extension);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here; try the next directory
      }
    }
  }
  return null;
}

interface CommandOutput {
  ok: boolean;
  output: string;
}

function runVersionCommand(file: string, args: string[]): Promise<CommandOutput> {
  return new Promise((resolve) => {
    execFile(file, args, { encoding: 'utf8', timeout: 15_000, windowsHide: true }, (error, stdout, stderr) => {
      resolve({ ok: error === null, output: `${stdout}\n${stderr}`.trim() });
    });
  });
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? '';
}

/** Reads the interpreter line of a script, so a Python docker-compose is known without running it. */
function readShebang(path: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(128);
    const length = readSync(fd, head, 0, head.length, 0);
    const text = head.subarray(0, length).toString('latin1');
    return text.startsWith('#!') ? text.split('\n')[0] : '';
  } catch {
    return '';
  } finally {
    if (fd !== undefined) {
      closeSync(fd);
    }
  }
}

/**
 * Tells the env-file dialect from version output. docker-compose v1 and podman-compose parse env
 * files with python-dotenv; Compose v2 (plugin or standalone) with compose-go.
 */
export function dialectFromVersionOutput(output: string): EnvFileDialect | null {
  if (/podman-compose/i.test(output)) {
    return 'python-dotenv';
  }
  if (/docker-compose version 1\./i.test(output)) {
    return 'python-dotenv';
  }
  if (/Docker Compose version v?[2-9]\./i.test(output)) {
    return 'compose-go';
  }
  return null;
}

async function probeDockerPlugin(): Promise<Engine | string> {
  const docker = findExecutable('docker');
  if (docker === null) {
    return 'docker compose: docker not found on PATH';
  }
  const result = await runVersionCommand(docker, ['compose', 'version']);
  if (!result.ok) {
    return 'docker compose: docker has no compose plugin';
  }
  return {
    name: 'docker',
    command: docker,
    prefixArgs: ['compose'],
    dialect: 'compose-go',
    version: firstLine(result.output),
    reason: `docker compose: ${firstLine(result.output)}`,
  };
}

async function probeDockerCompose(): Promise<Engine | string> {
  const path = findExecutable('docker-compose');
  if (path === null) {
    return 'docker-compose: not found on PATH';
  }

  // Debian's and pip's docker-compose v1 is a Python script; reading its first line is much
  // faster than starting Python to ask for the version.
  const shebang = readShebang(path);
  if (/python/i.test(shebang)) {
    return {
      name: 'docker-compose',
      command: path,
      prefixArgs: [],
      dialect: 'python-dotenv',
      version: 'docker-compose v1 (Python)',
      reason: `docker-compose: ${path} is a Python script, so Compose v1`,
    };
  }

  const result = await runVersionCommand(path, ['--version']);
  const dialect = result.ok ? dialectFromVersionOutput(result.output) : null;
  if (dialect === null) {
    return `docker-compose: ${path} --version printed no known version`;
  }
  return {
    name: 'docker-compose',
    command: path,
    prefixArgs: [],
    dialect,
    version: firstLine(result.output),
    reason: `docker-compose: ${firstLine(result.output)}`,
  };
}

/** Oldest podman-compose with a global `--env-file` option. */
const PODMAN_COMPOSE_MIN_VERSION = [1, 0, 4] as const;

/** Reads the version from `podman-compose --version` ("podman-compose version: 1.0.6", or
 * "podman-composer version  1.0.3" in older releases). */
export function parsePodmanComposeVersion(output: string): [number, number, number] | null {
  const match = /podman-composer? version:?\s+(\d+)\.(\d+)\.(\d+)/i.exec(output);
  return match === null ? null : [Number(match[1]), Number(match[2]), Number(match[3])];
}

function isOlderThan(version: readonly number[], minimum: readonly number[]): boolean {
  for (let index = 0; index < minimum.length; index += 1) {
    if (version[index] !== minimum[index]) {
      return version[index] < minimum[index];
    }
  }
  return false;
}

async function probePodmanCompose(): Promise<Engine | string> {
  const podman = findExecutable('podman');
  if (podman === null) {
    return 'podman compose: podman not found on PATH';
  }
  // `podman compose` runs an external provider (docker-compose or podman-compose) and passes its
  // output through, so the version output shows which parser will read the env file.
  const result = await runVersionCommand(podman, ['compose', 'version']);
  const dialect = result.ok ? dialectFromVersionOutput(result.output) : null;
  const providerVersion = parsePodmanComposeVersion(result.output);
  if (providerVersion !== null && isOlderThan(providerVersion, PODMAN_COMPOSE_MIN_VERSION)) {
    return `podman compose: its provider podman-compose ${providerVersion.join('.')} has no --env-file option (${PODMAN_COMPOSE_MIN_VERSION.join('.')} or later has)`;
  }
  if (dialect === null) {
    return result.ok
      ? 'podman compose: its provider printed no known version'
      : 'podman compose: not available (podman 4.7 or later with a compose provider is needed)';
  }
  return {
    name: 'podman',
    command: podman,
    prefixArgs: ['compose'],
    dialect,
    version: firstLine(result.output.replace(/^>>>>.*$/gm, '')),
    reason: `podman compose: provider reports "${firstLine(result.output.replace(/^>>>>.*$/gm, ''))}"`,
  };
}

async function probeStandalonePodmanCompose(): Promise<Engine | string> {
  const path = findExecutable('podman-compose');
  if (path === null) {
    return 'podman-compose: not found on PATH';
  }
  const result = await runVersionCommand(path, ['--version']);
  const version = parsePodmanComposeVersion(result.output);
  if (version === null) {
    return `podman-compose: ${path} --version printed no known version`;
  }
  const versionText = version.join('.');
  if (isOlderThan(version, PODMAN_COMPOSE_MIN_VERSION)) {
    return `podman-compose: version ${versionText} has no --env-file option (${PODMAN_COMPOSE_MIN_VERSION.join('.')} or later has)`;
  }
  return {
    name: 'podman-compose',
    command: path,
    prefixArgs: [],
    dialect: 'python-dotenv',
    version: `podman-compose ${versionText}`,
    reason: `podman-compose: version ${versionText} at ${path}`,
  };
}

const PROBES: Record<EngineName, () => Promise<Engine | string>> = {
  docker: probeDockerPlugin,
  'docker-compose': probeDockerCompose,
  podman: probePodmanCompose,
  'podman-compose': probeStandalonePodmanCompose,
};

const AUTO_ORDER: readonly EngineName[] = ['docker', 'docker-compose', 'podman', 'podman-compose'];

/**
 * Chooses the engine: the one named by `choice` (or AMULET_COMPOSE_ENGINE), else the first that
 * works of docker compose, docker-compose, podman compose, podman-compose.
 */
export async function detectEngine(choice: EngineChoice | undefined): Promise<Engine> {
  const fromEnvironment = process.env.AMULET_COMPOSE_ENGINE;
  let selected = choice;
  let source = '--engine';
  if (selected === undefined && fromEnvironment !== undefined && fromEnvironment !== '') {
    if (!(fromEnvironment in PROBES) && fromEnvironment !== 'auto') {
      throw usageError(
        `invalid AMULET_COMPOSE_ENGINE "${fromEnvironment}"`,
        'use one of: auto, docker, docker-compose, podman, podman-compose',
      );
    }
    selected = fromEnvironment as EngineChoice;
    source = 'AMULET_COMPOSE_ENGINE';
  }

  if (selected !== undefined && selected !== 'auto') {
    const found = await PROBES[selected]();
    if (typeof found === 'string') {
      throw new AmuletError('ENOENGINE', `the compose engine chosen with ${source} is not usable: ${found}`, {
        hint: 'install or upgrade it, or choose another with --engine (auto tries them all)',
      });
    }
    return { ...found, reason: `${found.reason} (chosen with ${source})` };
  }

  const tried: string[] = [];
  for (const name of AUTO_ORDER) {
    const found = await PROBES[name]();
    if (typeof found !== 'string') {
      return { ...found, reason: `${found.reason}${tried.length > 0 ? `; skipped ${tried.join('; ')}` : ''}` };
    }
    tried.push(found);
  }
  throw new AmuletError('ENOENGINE', `no compose engine found; tried ${tried.join('; ')}`, {
    hint: 'install Docker Compose (docker compose or docker-compose) or Podman with podman-compose',
  });
}

/**
 * On macOS and Windows podman runs containers in a VM ("podman machine"). Fails with a clear
 * error when podman cannot reach it, instead of leaving the user with compose's connection error.
 */
export async function checkPodmanMachine(engine: Engine, platform: NodeJS.Platform = process.platform): Promise<void> {
  if ((engine.name !== 'podman' && engine.name !== 'podman-compose') || (platform !== 'darwin' && platform !== 'win32')) {
    return;
  }
  const podman = engine.name === 'podman' ? engine.command : findExecutable('podman');
  if (podman === null) {
    return;
  }
  const result = await runVersionCommand(podman, ['info', '--format', '{{.Host.Arch}}']);
  if (!result.ok) {
    throw new AmuletError('EPODMANMACHINE', 'podman cannot reach its machine (the VM that runs containers)', {
      hint: 'start it with "podman machine start" (run "podman machine init" once first)',
    });
  }
}
