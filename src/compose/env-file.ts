/**
 * Writes unsealed secrets into an env file that a compose engine reads with
 * `--env-file`, so that the engine ends up with exactly the sealed bytes.
 *
 * Each engine family has its own env-file parser, and the two disagree on
 * escapes and on `$`, so the caller picks a dialect:
 *
 * - 'compose-go': Docker Compose v2 (the `docker compose` plugin and the
 *   standalone v2 binary), which parses env files with compose-go's
 *   `dotenv/parser.go`. The rules below were read from compose-go v2 as
 *   vendored in docker/cli. A copy of v2.13.0 has the same logic.
 * - 'python-dotenv': docker-compose v1 (Debian's 1.29.2) and podman-compose.
 *   Both call python-dotenv's `dotenv_values()` with interpolation on. The
 *   rules below were read from python-dotenv 0.21.0 (Debian's package, which
 *   docker-compose uses), and the tests also pass with python-dotenv 1.2.2.
 *
 * Both dialects write one line per entry, `NAME="..."`, with the value in
 * double quotes. Every entry is encoded on its own, with no helper lines and
 * no reference to another entry, so the order of entries does not matter.
 *
 * Secret bytes stay in Buffers: the encoder works byte by byte and writes
 * straight into the returned Buffer. Nothing here logs, and no error message
 * contains a value or any part of one.
 */

import { isUtf8 } from 'node:buffer';

export type EnvFileDialect = 'compose-go' | 'python-dotenv';

export interface EnvFileEntry {
  name: string;
  value: Buffer;
}

/**
 * Error for an entry that no env file can carry to the engine unchanged.
 * `key` is the variable name. The message names the key and the reason, and
 * never includes the value.
 */
export class EnvFileError extends Error {
  readonly key: string;

  constructor(key: string, reason: string) {
    super(`cannot write variable ${JSON.stringify(key)} to the env file: ${reason}`);
    this.name = 'EnvFileError';
    this.key = key;
  }
}

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Accepts only POSIX-style names, `[A-Za-z_][A-Za-z0-9_]*`.
 *
 * Both parsers accept more: compose-go also allows `.`, `-`, `[`, `]` and
 * non-ASCII letters, and python-dotenv allows almost anything up to `=`. But
 * compose's `${NAME}` interpolation in the compose file matches only this
 * set, so a name outside it could not be referenced there.
 */
export function validateEnvName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new EnvFileError(
      name,
      'the name must start with a letter or underscore and contain only ASCII letters, digits and underscores',
    );
  }
}

/**
 * Rejects the values that neither dialect can carry:
 *
 * - A NUL byte: a process environment is a list of NUL-terminated strings,
 *   so no engine can hand such a value to a container.
 * - Invalid UTF-8: python-dotenv decodes the whole file as strict UTF-8 and
 *   fails on the first bad byte. compose-go keeps the bytes in a Go string,
 *   but the engine then sends the environment to the Docker or Podman API as
 *   JSON, and Go's JSON encoder replaces invalid UTF-8 with U+FFFD.
 *
 * Every other byte string is carried, including CR and CRLF (written as the
 * `\r` escape, which both parsers decode).
 */
export function validateEnvValue(name: string, value: Buffer): void {
  if (value.includes(0)) {
    throw new EnvFileError(name, 'the value contains a NUL byte, which no process environment can contain');
  }
  if (!isUtf8(value)) {
    throw new EnvFileError(
      name,
      'the value is not valid UTF-8, which the engines cannot pass to a container unchanged',
    );
  }
}

const BACKSLASH = 0x5c;
const DOUBLE_QUOTE = 0x22;
const DOLLAR = 0x24;
const OPEN_BRACE = 0x7b;
const LF = 0x0a;
const CR = 0x0d;

const ESCAPED_BACKSLASH = Buffer.from('\\\\');
const ESCAPED_DOUBLE_QUOTE = Buffer.from('\\"');
const ESCAPED_LF = Buffer.from('\\n');
const ESCAPED_CR = Buffer.from('\\r');

/*
 * compose-go, double-quoted values (dotenv/parser.go, extractVarValue and
 * expandEscapes, then template.Substitute):
 *
 * 1. The quote scanner drops the backslash of `\"` and keeps every other
 *    backslash pair unchanged, so `\\` before the closing quote is safe.
 * 2. expandEscapes decodes `\\`, `\"`, `\n`, `\r` (and `\a \b \f \t \v`,
 *    `\$` as `$$`, and octal `\0nnn`, which we never write).
 * 3. The result is interpolated: `$$` becomes `$`, while `$NAME`, `${...}`
 *    and a lone `$` are expanded or rejected. So every `$` is written as `$$`.
 *
 * Single-quoted values are not used. In them `\'` means a quote and `\\`
 * stays two backslashes, so a value cannot end in a backslash or contain a
 * backslash right before a single quote. Unquoted values lose ` #...` and
 * trailing whitespace, and they are interpolated.
 */
const COMPOSE_GO_DOLLAR = Buffer.from('$$');

/*
 * python-dotenv, double-quoted values (parser.py and main.py, 0.21.0):
 *
 * 1. The file is opened in text mode, so Python turns every CR and CRLF into
 *    LF before parsing. A CR must therefore be written as the `\r` escape.
 * 2. The value is matched by the regex `"((?:\\"|[^"])*)"`, which reads the
 *    second backslash of an escaped backslash plus the closing quote as an
 *    escaped quote. A value ending in `\` written as `"...\\"` then runs on to
 *    the next `"` in the file and swallows the entries in between.
 * 3. Escapes `\\ \' \" \a \b \f \n \r \t \v` are decoded.
 * 4. The decoded value is interpolated once, left to right, with the regex
 *    `\$\{([^}:]*)(?::-([^}]*))?\}`, in every quoting style. There is no
 *    escape for `${`, and `$$` is not special.
 *
 * Two written forms work around rules 2 and 4, using rule 4 itself. Both
 * refer to the variable named `=`, which can never be set: a process
 * environment entry is split into name and value at its first `=`, and this
 * file defines only names matching NAME_PATTERN.
 *
 * - `${=:-$}` stands for a `$` that is followed by `{`. The variable is
 *   unset, so the reference resolves to its default `$`. Interpolation is a
 *   single pass, so that `$` is never read again.
 * - `${=}` is appended after a trailing backslash. It resolves to the empty
 *   string, and it separates the escaped backslash from the closing quote,
 *   so rule 2 no longer applies.
 *
 * The empty name (`${:-$}`) would look simpler, but a parent process can
 * pass an environment entry with an empty name (Node's child_process does,
 * for `env: { '': ... }`), and python-dotenv would then substitute it.
 *
 * NOTE: both forms rely on interpolation being on. It is on in
 * dotenv_values() by default, in docker-compose 1.29 for `--env-file` and
 * `env_file:` (unless run with `--no-interpolate`), and in podman-compose.
 *
 * The alternative, helper lines such as `AMULET_DOLLAR=$` referenced as
 * `${AMULET_DOLLAR}`, works too. But it adds variables to the project (and
 * to containers when the file is used as a service `env_file:`), and it
 * makes entries depend on line order.
 */
const PYTHON_DOTENV_DOLLAR_BEFORE_BRACE = Buffer.from('${=:-$}');
const PYTHON_DOTENV_EMPTY = Buffer.from('${=}');

/** Returns the escaped form of value[index], or undefined when the byte is written unchanged. */
function escapeByte(value: Buffer, index: number, dialect: EnvFileDialect): Buffer | undefined {
  const byte = value[index];
  switch (byte) {
    case BACKSLASH:
      return ESCAPED_BACKSLASH;
    case DOUBLE_QUOTE:
      return ESCAPED_DOUBLE_QUOTE;
    case LF:
      return ESCAPED_LF;
    case CR:
      return ESCAPED_CR;
    case DOLLAR:
      if (dialect === 'compose-go') return COMPOSE_GO_DOLLAR;
      return value[index + 1] === OPEN_BRACE ? PYTHON_DOTENV_DOLLAR_BEFORE_BRACE : undefined;
    default:
      return undefined;
  }
}

function endsInBackslash(value: Buffer): boolean {
  return value.length > 0 && value[value.length - 1] === BACKSLASH;
}

/** Returns the length in bytes of the quoted, escaped value, quotes included. */
function quotedLength(value: Buffer, dialect: EnvFileDialect): number {
  let length = 2;
  for (let i = 0; i < value.length; i++) {
    length += escapeByte(value, i, dialect)?.length ?? 1;
  }
  if (dialect === 'python-dotenv' && endsInBackslash(value)) {
    length += PYTHON_DOTENV_EMPTY.length;
  }
  return length;
}

/** Writes the quoted, escaped value into out at offset and returns the offset after it. */
function writeQuoted(value: Buffer, dialect: EnvFileDialect, out: Buffer, offset: number): number {
  out[offset++] = DOUBLE_QUOTE;
  for (let i = 0; i < value.length; i++) {
    const escaped = escapeByte(value, i, dialect);
    if (escaped === undefined) {
      out[offset++] = value[i];
    } else {
      offset += escaped.copy(out, offset);
    }
  }
  if (dialect === 'python-dotenv' && endsInBackslash(value)) {
    offset += PYTHON_DOTENV_EMPTY.copy(out, offset);
  }
  out[offset++] = DOUBLE_QUOTE;
  return offset;
}

/**
 * Returns the bytes of an env file from which the given dialect's parser reads
 * back exactly `value` for every `name`.
 *
 * Throws EnvFileError, before encoding anything, for an invalid or repeated
 * name and for a value that no env file can carry (see validateEnvValue).
 */
export function encodeEnvFile(entries: ReadonlyArray<EnvFileEntry>, dialect: EnvFileDialect): Buffer {
  if (dialect !== 'compose-go' && dialect !== 'python-dotenv') {
    throw new Error(`unknown env file dialect ${JSON.stringify(dialect)}`);
  }

  const seen = new Set<string>();
  for (const { name, value } of entries) {
    validateEnvName(name);
    if (seen.has(name)) {
      throw new EnvFileError(name, 'the name appears more than once, and only one value would reach the engine');
    }
    seen.add(name);
    validateEnvValue(name, value);
  }

  // Each line is NAME="..." followed by LF. Names are ASCII, so their length
  // in bytes equals their length in UTF-16 code units.
  let total = 0;
  for (const { name, value } of entries) {
    total += name.length + 1 + quotedLength(value, dialect) + 1;
  }

  const out = Buffer.alloc(total);
  let offset = 0;
  for (const { name, value } of entries) {
    offset += out.write(name, offset, 'ascii');
    out[offset++] = 0x3d; // '='
    offset = writeQuoted(value, dialect, out, offset);
    out[offset++] = LF;
  }
  if (offset !== total) {
    throw new Error(`env file encoder wrote ${offset} bytes but computed ${total}`);
  }
  return out;
}
