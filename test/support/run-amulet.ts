import execa from 'execa';
import { join } from 'node:path';

export const AMULET_BIN = join(__dirname, '..', '..', 'bin', 'amulet.js');

export interface AmuletRun {
  exitCode: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs the built `amulet` as a real process. `input` goes to stdin (stdin is closed when it is
 * undefined); `env` is added to a copy of this process's environment.
 */
export async function runAmulet(
  args: string[],
  options: { input?: string | Buffer; env?: Record<string, string | undefined>; cwd?: string } = {},
): Promise<AmuletRun> {
  const result = await execa(process.execPath, ['--', AMULET_BIN, ...args], {
    input: options.input ?? '',
    env: options.env,
    cwd: options.cwd,
    encoding: null,
    stripFinalNewline: false,
    reject: false,
  });
  return {
    exitCode: result.exitCode,
    stdout: result.stdout as unknown as Buffer,
    stderr: (result.stderr as unknown as Buffer).toString('utf8'),
  };
}
