/**
 * Helpers for end-to-end tests that run real containers: engine checks, the
 * skip-or-fail policy, and the Podman API service from scripts/e2e-engines.sh.
 */
import path from 'path';
import execa from 'execa';

/** Image that scripts/e2e-engines.sh imports from the busybox-static binary. */
export const E2E_IMAGE = 'localhost/amulet-e2e-busybox:latest';

/** Commands that end-to-end tests can depend on. */
export type EngineName = 'docker-compose' | 'podman';

export interface PodmanService {
  /** Value for DOCKER_HOST, e.g. `unix:///run/amulet-e2e/podman.sock`. */
  dockerHost: string;
}

const SCRIPT = path.resolve(__dirname, '../../scripts/e2e-engines.sh');
// The script may install Debian packages when CI=true, which can take minutes.
const SCRIPT_TIMEOUT_MS = 10 * 60 * 1000;

const engineCache = new Map<EngineName, boolean>();
let servicePromise: Promise<PodmanService> | undefined;

/** Reports whether `name --version` runs and exits 0. The result is cached. */
export function haveEngine(name: EngineName): boolean {
  let present = engineCache.get(name);
  if (present === undefined) {
    const result = execa.sync(name, ['--version'], { reject: false, timeout: 20_000 });
    present = !result.failed && result.exitCode === 0;
    engineCache.set(name, present);
  }
  return present;
}

/**
 * Returns why the given engines cannot be used here, or undefined if they can.
 * Rootful Podman is the only engine the script sets up, so it needs root.
 */
export function engineSkipReason(names: readonly EngineName[]): string | undefined {
  const missing = names.filter((name) => !haveEngine(name));
  if (missing.length > 0) {
    return `${missing.join(' and ')} not found on PATH (Debian packages: podman, docker-compose)`;
  }
  if (names.includes('podman') && process.getuid?.() !== 0) {
    return 'the tests use rootful Podman, so they must run as root';
  }
  return undefined;
}

/**
 * Returns true when `reason` is undefined, so the tests can run. Otherwise, in
 * CI (`CI=true`) it throws, because a CI run must not pass by skipping its
 * end-to-end tests, and elsewhere it prints a warning and returns false.
 *
 * Usage: `const describeE2e = requireOrSkip(engineSkipReason([...])) ? describe : describe.skip;`
 */
export function requireOrSkip(reason: string | undefined): boolean {
  if (reason === undefined) {
    return true;
  }
  if (process.env.CI === 'true') {
    throw new Error(`End-to-end tests cannot run in CI: ${reason}`);
  }
  console.warn(
    `\n*** SKIPPING END-TO-END TESTS: ${reason}. ***\n` +
      '*** Run `sudo scripts/e2e-engines.sh` for the setup they need; CI fails instead of skipping. ***\n',
  );
  return false;
}

/**
 * Configures Podman, imports the test image and starts (or reuses) Podman's
 * Docker-compatible API service by running scripts/e2e-engines.sh. The result
 * is cached for the test file, and the service keeps running afterwards so that
 * later test files reuse it (`scripts/e2e-engines.sh stop` ends it).
 */
export function ensurePodmanService(): Promise<PodmanService> {
  servicePromise ??= startPodmanService();
  return servicePromise;
}

async function startPodmanService(): Promise<PodmanService> {
  const result = await execa('bash', [SCRIPT, 'start'], {
    stdin: 'ignore',
    timeout: SCRIPT_TIMEOUT_MS,
  });
  const lastLine = result.stdout.trimEnd().split('\n').pop() ?? '';
  const match = /^DOCKER_HOST=(unix:\/\/\S+)$/.exec(lastLine);
  if (!match) {
    throw new Error(
      `${SCRIPT} did not print DOCKER_HOST=unix://... on its last stdout line; ` +
        `stdout was:\n${result.stdout}\nstderr was:\n${result.stderr}`,
    );
  }
  return { dockerHost: match[1] };
}

/**
 * Builds the environment for a docker-compose child process, to be used with
 * `extendEnv: false`. It contains only PATH, HOME and DOCKER_HOST, because
 * docker-compose 1.29 lets its own environment override `--env-file`. A stray
 * variable from the test runner would otherwise hide the value under test.
 */
export function composeEnv(dockerHost: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { DOCKER_HOST: dockerHost };
  if (process.env.PATH !== undefined) env.PATH = process.env.PATH;
  if (process.env.HOME !== undefined) env.HOME = process.env.HOME;
  return env;
}
