/** Exit status of the `amulet` process: 0 success, 1 failure, 2 usage error. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Base error of amulet. The message names the bad value (a path, a key name, an offset), never a
 * secret, a passphrase or a machine id. `hint` tells the user what to do next, and `code` is stable
 * for scripts and tests.
 */
export class AmuletError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: ExitCodeValue;

  constructor(code: string, message: string, options: { hint?: string; exitCode?: ExitCodeValue } = {}) {
    super(message);
    this.name = 'AmuletError';
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.failure;
  }
}

/** A vault file whose bytes do not follow the v1 format; `offset` is where parsing stopped. */
export class VaultFormatError extends AmuletError {
  readonly offset: number;
  readonly entryIndex: number;

  constructor(
    code: string,
    detail: string,
    where: { path?: string; entryIndex: number; offset: number },
    hint?: string,
  ) {
    const place = `entry ${where.entryIndex}, byte offset ${where.offset}`;
    const file = where.path === undefined ? 'vault' : `vault ${where.path}`;
    super(code, `invalid ${file}: ${detail} (${place})`, {
      hint: hint ?? 'the file is left untouched; restore it from version control or a backup',
    });
    this.name = 'VaultFormatError';
    this.offset = where.offset;
    this.entryIndex = where.entryIndex;
  }
}

/** Wrong passphrase and wrong machine are one error on purpose: the AEAD cannot tell them apart. */
export class AuthenticationError extends AmuletError {
  readonly key: string;

  constructor(key: string) {
    super(
      'EAUTH',
      `cannot unseal "${key}": authentication failed: wrong passphrase, or the entry is Locked to another machine`,
      { hint: 'check the passphrase; a Locked entry opens only on the machine that sealed it' },
    );
    this.name = 'AuthenticationError';
    this.key = key;
  }
}

export function usageError(message: string, hint?: string): AmuletError {
  return new AmuletError('EUSAGE', message, { hint, exitCode: ExitCode.usage });
}
