/**
 * A reference decoder for env files as Docker Compose v2 reads them, used to
 * check the 'compose-go' dialect of src/compose/env-file.ts, because Compose v2
 * cannot be installed on the test machines.
 *
 * It re-implements, in our own code, the rules of compose-go's
 * `dotenv/parser.go` and `dotenv/godotenv.go` and the parts of
 * `template/template.go` that env-file values go through. The rules were read
 * from compose-go v2 as vendored in docker/cli
 * (vendor/github.com/compose-spec/compose-go/v2/dotenv/parser.go at docker/cli
 * commit 8d8bd95431c13b5a371a1a2f1b965f2566b4e148); a copy of compose-go
 * v2.13.0 has the same quote scanner and escape rules.
 *
 * Scope: everything parser.go does with statements, comments, `export`, keys
 * and the three quoting styles is modelled. Interpolation is modelled for
 * `$$`, `$NAME` and `${NAME}`; the `${NAME:-default}` family throws, so a test
 * never silently relies on an unmodelled rule. Unlike Go, the decoder requires
 * the file to be valid UTF-8 (the encoder never writes anything else).
 */

/** Lookup of a name in the process environment (compose passes os.LookupEnv). */
export type LookupFn = (name: string) => string | undefined;

/** A parse failure that compose-go would report as an error. */
export class ComposeGoParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ComposeGoParseError';
  }
}

/** Reports whether ch is a space to Go's unicode.IsSpace: Latin-1 spaces plus Unicode White_Space. */
function isUnicodeSpace(ch: string): boolean {
  switch (ch) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case '\u0085':
    case '\u00a0':
    case '\u1680':
    case '\u2028':
    case '\u2029':
    case '\u202f':
    case '\u205f':
    case '\u3000':
      return true;
    default:
      return ch >= '\u2000' && ch <= '\u200a';
  }
}

/** Reports whether ch is a space but not a line break (parser.go's isSpace). */
function isSpaceNotNewline(ch: string): boolean {
  switch (ch) {
    case '\t':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case '\u0085':
    case '\u00a0':
      return true;
    default:
      return false;
  }
}

function trimLeft(s: string, pred: (ch: string) => boolean): string {
  let i = 0;
  for (const ch of s) {
    if (!pred(ch)) break;
    i += ch.length;
  }
  return s.slice(i);
}

function trimRight(s: string, pred: (ch: string) => boolean): string {
  const chars = Array.from(s);
  while (chars.length > 0 && pred(chars[chars.length - 1])) chars.pop();
  return chars.join('');
}

/** Returns the index of the first character that is not unicode.IsSpace, or -1. */
function indexOfNonSpace(s: string): number {
  let i = 0;
  for (const ch of s) {
    if (!isUnicodeSpace(ch)) return i;
    i += ch.length;
  }
  return -1;
}

/** Skips whitespace and whole `#` comment lines (parser.go's getStatementStart). */
function statementStart(src: string): string {
  for (;;) {
    const pos = indexOfNonSpace(src);
    if (pos === -1) return '';
    src = src.slice(pos);
    if (src[0] !== '#') return src;
    const newline = src.indexOf('\n');
    if (newline === -1) return '';
    src = src.slice(newline);
  }
}

const EXPORT_PREFIX = /^export[\t\n\f\r ]+/; // RE2's \s is [\t\n\f\r ]

/** Returns the key, the text after its separator, and whether the key is inherited (locateKeyName). */
function locateKeyName(src: string): { key: string; rest: string; inherited: boolean } {
  if (EXPORT_PREFIX.test(src)) {
    src = trimLeft(src.slice('export'.length), isSpaceNotNewline);
  }
  let i = 0;
  for (const ch of src) {
    if (!isSpaceNotNewline(ch)) {
      if (ch === '=' || ch === ':' || ch === '\n') {
        const key = trimRight(src.slice(0, i), isUnicodeSpace);
        const rest = trimLeft(src.slice(i + 1), isSpaceNotNewline);
        return { key, rest, inherited: ch === '\n' };
      }
      const allowed = '_.-[]'.includes(ch) || /^[\p{L}\p{N}]$/u.test(ch);
      if (!allowed) {
        throw new ComposeGoParseError(`unexpected character ${JSON.stringify(ch)} in variable name`);
      }
    }
    i += ch.length;
  }
  throw new ComposeGoParseError('a statement without "=", ":" or a line break is not modelled');
}

/**
 * Scans a quoted value. A backslash before the quote character yields the
 * quote alone, and a backslash before anything else is kept together with
 * that character. The first quote not preceded by a backslash ends the value.
 */
function scanQuoted(src: string, quote: string): { raw: string; rest: string } {
  let previousIsEscape = false;
  let raw = '';
  for (let i = 1; i < src.length; i++) {
    const ch = src[i];
    if (ch !== quote) {
      if (!previousIsEscape && ch === '\\') {
        previousIsEscape = true;
        continue;
      }
      if (previousIsEscape) {
        previousIsEscape = false;
        raw += '\\';
      }
      raw += ch;
      continue;
    }
    if (previousIsEscape) {
      previousIsEscape = false;
      raw += ch;
      continue;
    }
    return { raw, rest: src.slice(i + 1) };
  }
  throw new ComposeGoParseError('unterminated quoted value');
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '"': '"',
  '\\': '\\',
};

/**
 * Decodes escapes as parser.go's expandEscapes does. It finds `\x` for x in
 * `abcfnrtv$"\`, or `\0` plus up to three digits, leftmost first, and decodes
 * each match the way Go's strconv.UnquoteChar does. `\$` becomes `$$` for the
 * interpolation step. An octal match has its `\0` replaced by `\` first, and
 * if UnquoteChar rejects it, that rewritten text remains.
 */
function expandEscapes(s: string): string {
  return s.replace(/\\(?:[abcfnrtv$"\\]|0[0-9]{0,3})/g, (match) => {
    if (match === '\\$') return '$$';
    if (match.startsWith('\\0')) {
      const rewritten = '\\' + match.slice(2);
      const digits = rewritten.slice(1);
      if (/^[0-7]{3}$/.test(digits) && parseInt(digits, 8) <= 0xff) {
        return String.fromCodePoint(parseInt(digits, 8));
      }
      return rewritten;
    }
    const decoded = SIMPLE_ESCAPES[match[1]];
    return decoded ?? match; // `\c` is in the set but UnquoteChar rejects it
  });
}

const NAME_AT = /^[_a-z][_a-z0-9]*/i;

/**
 * Interpolates `$$`, `$NAME` and `${NAME}` as template.Substitute does. A name
 * is looked up in the process environment first, then among the variables
 * already read from the file. An unset variable yields the empty string.
 */
function expandVariables(s: string, envMap: Map<string, string>, lookup: LookupFn): string {
  const resolve = (name: string): string => lookup(name) ?? envMap.get(name) ?? '';
  let out = '';
  let i = 0;
  while (i < s.length) {
    const dollar = s.indexOf('$', i);
    if (dollar === -1) {
      out += s.slice(i);
      break;
    }
    out += s.slice(i, dollar);
    const after = s.slice(dollar + 1);
    if (after.startsWith('$')) {
      out += '$';
      i = dollar + 2;
      continue;
    }
    const named = NAME_AT.exec(after);
    if (named) {
      out += resolve(named[0]);
      i = dollar + 1 + named[0].length;
      continue;
    }
    if (after.startsWith('{')) {
      const braced = NAME_AT.exec(after.slice(1));
      if (braced && after[1 + braced[0].length] === '}') {
        out += resolve(braced[0]);
        i = dollar + 2 + braced[0].length + 1;
        continue;
      }
      if (braced && /^:?[-?]/.test(after.slice(1 + braced[0].length))) {
        throw new ComposeGoParseError('${NAME} with a default or an error message is not modelled');
      }
    }
    throw new ComposeGoParseError('invalid template: a "$" that starts no variable');
  }
  return out;
}

/** Returns one value and the rest of the file after it (extractVarValue). */
function extractValue(
  src: string,
  envMap: Map<string, string>,
  lookup: LookupFn,
): { value: string; rest: string } {
  const quote = src[0];
  if (quote !== '"' && quote !== "'") {
    const newline = src.indexOf('\n');
    let value = newline === -1 ? src : src.slice(0, newline);
    const rest = newline === -1 ? '' : src.slice(newline + 1);
    const comment = value.indexOf(' #');
    if (comment !== -1) value = value.slice(0, comment);
    value = trimRight(value, isUnicodeSpace);
    return { value: expandVariables(value, envMap, lookup), rest };
  }
  const { raw, rest } = scanQuoted(src, quote);
  if (quote === "'") return { value: raw, rest };
  return { value: expandVariables(expandEscapes(raw), envMap, lookup), rest };
}

/**
 * Parses env-file bytes the way compose-go's dotenv.ParseWithLookup does and
 * returns each variable's value as UTF-8 bytes.
 */
export function parseComposeGoDotenv(file: Buffer, lookup: LookupFn = () => undefined): Map<string, Buffer> {
  let src = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(file);
  if (src.startsWith('\ufeff')) src = src.slice(1);

  const envMap = new Map<string, string>();
  for (;;) {
    src = statementStart(src);
    if (src === '') break;
    const { key, rest, inherited } = locateKeyName(src);
    if (key.includes(' ')) {
      throw new ComposeGoParseError('key cannot contain a space');
    }
    if (inherited) {
      const value = lookup(key);
      if (value !== undefined) envMap.set(key, value);
      src = rest;
      continue;
    }
    const extracted = extractValue(rest, envMap, lookup);
    envMap.set(key, extracted.value);
    src = extracted.rest;
  }

  const result = new Map<string, Buffer>();
  for (const [key, value] of envMap) result.set(key, Buffer.from(value, 'utf8'));
  return result;
}
