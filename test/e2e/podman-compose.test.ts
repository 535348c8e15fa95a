// `amulet compose --engine podman-compose` with Debian's real podman-compose. Releases before
// 1.0.4 (Debian 12 ships 1.0.3) have no --env-file option, so amulet must refuse them clearly;
// later releases must run.

import { join } from 'node:path';
import execa from 'execa';
import { parsePodmanComposeVersion } from '../../src/compose/engine';
import { runAmulet } from '../support/run-amulet';
import { requireOrSkip } from './engines';

const installed = execa.sync('podman-compose', ['--version'], { reject: false });
const version = installed.failed ? null : parsePodmanComposeVersion(`${installed.stdout}\n${installed.stderr}`);
const describeReal = requireOrSkip(version === null ? 'podman-compose not found on PATH (Debian package: podman-compose)' : undefined)
  ? describe
  : describe.skip;

const examples = join(__dirname, '..', '..', 'compose-examples');

describeReal('podman-compose engine', () => {
  const hasEnvFile = version !== null && (version[0] > 1 || (version[0] === 1 && (version[1] > 0 || version[2] >= 4)));

  test('version decides whether it can run', async () => {
    const result = await runAmulet(
      ['compose', '--engine', 'podman-compose', '--vault', join(examples, 'demo.vault'), '--passphrase-file', join(examples, 'demo-passphrase.txt'), '-f', join(examples, 'openai-service', 'docker-compose.yml'), 'config'],
      { cwd: examples },
    );
    if (hasEnvFile) {
      expect(result.exitCode).toBe(0);
      expect(result.stdout.toString()).toContain('********');
      expect(result.stdout.toString()).not.toContain('sk-demo-0000-not-a-real-key');
    } else {
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(`podman-compose: version ${version!.join('.')} has no --env-file option (1.0.4 or later has)`);
    }
  });
});

describe('parsePodmanComposeVersion', () => {
  test.each([
    ['podman-composer version  1.0.3\npodman --version', [1, 0, 3]],
    ['podman-compose version: 1.0.6\n', [1, 0, 6]],
    ['podman-compose version 1.2.0\npodman version 5.0.0', [1, 2, 0]],
  ])('%j is read', (output, expected) => {
    expect(parsePodmanComposeVersion(output)).toEqual(expected);
  });

  test('unknown output gives null', () => {
    expect(parsePodmanComposeVersion('something else')).toBeNull();
  });
});
