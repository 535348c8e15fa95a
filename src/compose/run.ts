// Runs the compose engine as a child process: explicit environment, signals relayed, exit status
// passed through.

import { spawn, ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { AmuletError } from '../vault/errors';

export const RELAYED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Exit status for a process that died by `signal`, as shells report it: 128 + N. */
export function exitCodeForSignal(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/**
 * Returns whether the terminal already sent this signal to compose. A Ctrl-C (SIGINT) or a hangup
 * (SIGHUP) from the terminal goes to the whole foreground process group, which includes compose,
 * so relaying it again would count as a second Ctrl-C ("force"). On Linux /proc shows whether
 * amulet runs in the terminal's foreground group. Elsewhere a terminal on stdio is taken as a sign.
 *
 * NOTE: a SIGINT or SIGHUP sent with kill(1) to amulet alone while it runs in the foreground of a
 * terminal is not relayed, because it looks the same as a Ctrl-C.
 */
function terminalAlreadyDelivered(signal: NodeJS.Signals): boolean {
  if (signal === 'SIGTERM') {
    return false;
  }
  if (process.platform === 'linux') {
    try {
      // Fields after the parenthesized command name: state ppid pgrp session tty_nr tpgid ...
      const stat = readFileSync('/proc/self/stat', 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const processGroup = Number(fields[2]);
      const terminalForegroundGroup = Number(fields[5]);
      return terminalForegroundGroup > 0 && terminalForegroundGroup === processGroup;
    } catch {
      // fall back to the stdio check below
    }
  }
  return Boolean(process.stdin.isTTY || process.stdout.isTTY || process.stderr.isTTY);
}

/**
 * Catches SIGINT, SIGTERM and SIGHUP for the compose run, so that amulet always gets to remove the
 * env file. Until `arm()` (called just before the env file is created) a signal ends amulet as it
 * would without the relay, because nothing needs cleaning up yet and a passphrase prompt must not
 * keep it waiting. Once armed, a signal that arrives before compose starts marks the run as
 * interrupted. While compose runs, each signal is relayed to it, so a second Ctrl-C still forces,
 * and amulet waits for compose to exit.
 */
export class SignalRelay {
  /** The first signal received, if any. */
  received: NodeJS.Signals | undefined;
  private child: ChildProcess | undefined;
  private armed = false;
  private readonly listeners = new Map<NodeJS.Signals, () => void>();

  constructor() {
    for (const signal of RELAYED_SIGNALS) {
      const listener = () => this.handle(signal);
      this.listeners.set(signal, listener);
      process.on(signal, listener);
    }
  }

  /** Starts catching signals for cleanup; until then they end amulet with their default action. */
  arm(): void {
    this.armed = true;
  }

  private handle(signal: NodeJS.Signals): void {
    if (!this.armed) {
      this.dispose();
      process.kill(process.pid, signal);
      return;
    }
    this.received ??= signal;
    const child = this.child;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      if (!terminalAlreadyDelivered(signal)) {
        child.kill(signal);
      }
    }
  }

  /** Throws when a signal arrived, so the caller stops before starting the next step. */
  throwIfInterrupted(): void {
    if (this.received !== undefined) {
      throw new InterruptedError(this.received);
    }
  }

  attach(child: ChildProcess): void {
    this.child = child;
  }

  dispose(): void {
    for (const [signal, listener] of this.listeners) {
      process.off(signal, listener);
    }
    this.listeners.clear();
  }
}

/** amulet was interrupted by a signal before compose started. */
export class InterruptedError extends AmuletError {
  readonly signal: NodeJS.Signals;

  constructor(signal: NodeJS.Signals) {
    super('EINTERRUPTED', `interrupted by ${signal} before compose started; nothing was run`);
    this.signal = signal;
  }
}

export interface EngineRun {
  exitCode: number;
  /** Compose's stdout when it was captured. */
  stdout?: Buffer;
}

/**
 * Runs `file args` with exactly `env` as its environment. stdin and stderr stay attached to
 * amulet's; stdout too unless `captureStdout`. Resolves with compose's exit code, or 128+N when
 * it died by signal N.
 */
export function runEngine(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  relay: SignalRelay,
  options: { captureStdout: boolean },
): Promise<EngineRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env,
      stdio: ['inherit', options.captureStdout ? 'pipe' : 'inherit', 'inherit'],
    });
    relay.attach(child);

    const chunks: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));

    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new AmuletError('ESPAWN', `cannot run ${file}: ${error.code ?? error.message}`, {
          hint: 'check that the compose engine is installed, or choose one with --engine',
        }),
      );
    });
    child.once('close', (code, signal) => {
      const exitCode = signal !== null ? exitCodeForSignal(signal) : (code ?? 1);
      resolve({ exitCode, stdout: options.captureStdout ? Buffer.concat(chunks) : undefined });
    });
  });
}
