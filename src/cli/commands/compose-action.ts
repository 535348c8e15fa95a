import { read } from 'node:fs';
import { parseComposeArguments } from '../../compose/arguments';
import { runCompose } from '../../compose/compose';
import { exitCodeForSignal, InterruptedError, SignalRelay } from '../../compose/run';
import { readMachineId } from '../../system/machine-id';
import { AmuletError } from '../../vault/errors';
import { printInfo, writeStdout } from '../io';
import { DEFAULT_VAULT_PATH } from '../options';
import { readPassphrase } from '../passphrase';
import { reportError } from '../main';

const COMPOSE_HELP = `Usage: amulet compose [options] [--] <compose arguments...>

Unseals keys into a temporary 0600 env file (on tmpfs where possible), runs compose with
--env-file, and removes the file when compose exits, fails or is interrupted.

Options (they come before the compose arguments):
  --vault, --file PATH     vault file (default: ${DEFAULT_VAULT_PATH})
  --key NAME               key to unseal; repeat it or give a comma list (default: every key)
  --manifest PATH          file with key names, one per line
  --engine NAME            auto, docker, docker-compose, podman or podman-compose
                           (default: AMULET_COMPOSE_ENGINE, else auto)
  --tmpdir DIR             directory for the env file instead of /dev/shm or $XDG_RUNTIME_DIR
  --passphrase-file PATH   read the passphrase from the first line of this file
  --passphrase-fd N        read the passphrase from the first line of this file descriptor
  --tty                    ask for the passphrase on the terminal
  --reveal                 show secret values in "config" output instead of masking them
  --dry-run                print the engine, command line and masked env file; run nothing
  --check                  with --dry-run: also check that every key opens
  --verbose                print which engine runs and why, and other diagnostics

Without a passphrase option, amulet asks on the terminal when stdin is one, and otherwise reads
the first line of stdin. "down", "ps", "logs", "stop" and other commands that need no secret
values ask for no passphrase.

Examples:
  amulet compose --key OPENAI_API_KEY --key DB_PASSWORD up -d
  amulet compose --vault secrets.vault config
  amulet compose down
`;

/**
 * Reads stdin up to the first newline, one byte at a time, so nothing meant for compose is consumed.
 * Each read runs on libuv's thread pool, so a signal can still end amulet while it waits. A
 * non-blocking stdin that has no data yet is polled every 10 ms.
 */
async function readStdinLineExactly(): Promise<Buffer> {
  const bytes: number[] = [];
  const one = Buffer.alloc(1);
  for (;;) {
    let count: number;
    try {
      count = await readOneByte(one);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
        await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      if ((error as NodeJS.ErrnoException).code === 'EOF') {
        break;
      }
      throw error;
    }
    if (count === 0 || one[0] === 0x0a) {
      break;
    }
    bytes.push(one[0]);
  }
  if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) {
    bytes.pop();
  }
  const line = Buffer.from(bytes);
  bytes.fill(0);
  one.fill(0);
  return line;
}

function readOneByte(buffer: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    read(0, buffer, 0, 1, null, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead)));
  });
}

/** Runs `amulet compose` with the arguments after "compose". Resolves to the exit code. */
export async function runComposeCommand(argv: string[]): Promise<number> {
  const relay = new SignalRelay();
  try {
    const { options, composeArgs } = parseComposeArguments(argv, DEFAULT_VAULT_PATH);
    if (options.help) {
      await writeStdout(COMPOSE_HELP);
      return 0;
    }
    if (composeArgs.length === 0) {
      throw new AmuletError('EUSAGE', 'missing compose arguments, for example "up -d" or "config"', {
        hint: 'run "amulet compose --help"',
        exitCode: 2,
      });
    }

    return await runCompose(
      options,
      composeArgs,
      {
        readPassphrase: async () => {
          const fromStdin = options.passphraseFile === undefined && options.passphraseFd === undefined && !options.tty && !process.stdin.isTTY;
          if (fromStdin) {
            const line = await readStdinLineExactly();
            if (line.length === 0) {
              throw new AmuletError('ENOPASS', 'missing passphrase: the first line of stdin is empty', {
                hint: 'pipe the passphrase as the first line of stdin, or use --passphrase-file or --passphrase-fd',
              });
            }
            return line;
          }
          return (await readPassphrase(options, { stdinLine: false })).value;
        },
        machineId: () => readMachineId(),
        log: printInfo,
        writeStdout,
      },
      relay,
    );
  } catch (error) {
    if (error instanceof InterruptedError) {
      reportError(error);
      return exitCodeForSignal(error.signal);
    }
    return reportError(error);
  } finally {
    relay.dispose();
  }
}
