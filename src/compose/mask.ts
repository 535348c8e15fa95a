/**
 * Masks secret values in the output of `docker compose config`,
 * `docker-compose config` and `podman-compose config`.
 *
 * Compose prints the interpolated project, so every secret that the compose
 * file references shows up in the output, re-encoded by a YAML or JSON
 * emitter. maskConfigOutput hides each secret in two passes:
 *
 * 1. Scalar pass. When the output parses as a YAML mapping (JSON is YAML, so
 *    `config --format json` parses too), every scalar, keys included, is
 *    decoded by the `yaml` package. A scalar whose decoded value contains a
 *    secret, or the secret with each `$` doubled to `$$` (compose `config`
 *    escapes `$` this way, v1 and v2), is replaced in the source text by a
 *    JSON-quoted copy with the secret masked. JSON strings are valid YAML
 *    double-quoted scalars, so the result is still valid YAML or JSON, and
 *    only the changed scalars differ from the original text. Decoding undoes
 *    every quoting style, escape and line fold at once. The exception is
 *    U+0085, U+2028 and U+2029: PyYAML writes them raw as YAML 1.1 line
 *    breaks, but the `yaml` package reads YAML 1.2, where they are ordinary
 *    characters, so only the text pass finds such a secret.
 * 2. Text pass. Every remaining encoded form of each secret is replaced in
 *    the raw text, whether or not it parsed (see buildSecretPattern). This
 *    is the only pass for output that is not a mapping, such as
 *    `config --services`, `--volumes` and `--hash`.
 *
 * The scalar pass runs first because its replacements are quoted and keep
 * the output parseable. A text-pass replacement can leave a plain scalar that
 * starts with `*`, which YAML reads as an alias.
 *
 * Secrets shorter than MIN_SUBSTRING_BYTES match too much unrelated text, so
 * they are masked only where a whole scalar, or a whole line of the text,
 * equals them or their `$$` form. Each line of a multi-line secret that has
 * at least MIN_SUBSTRING_BYTES bytes (after trimming whitespace) is masked
 * on its own as well, in case compose prints the lines apart. Empty secrets are
 * ignored.
 *
 * Secrets that are not valid UTF-8 cannot appear in compose output byte for
 * byte, because the output is text: python-dotenv (docker-compose v1,
 * podman-compose) rejects such env files, and Go's JSON encoder replaces each
 * invalid sequence with U+FFFD. Such a secret is masked in its decoded form,
 * with U+FFFD for each invalid sequence as Node's decoder produces it, and
 * each run of valid UTF-8 of at least MIN_SUBSTRING_BYTES bytes between the
 * invalid sequences is masked on its own. amulet's env-file encoder rejects
 * these values, so they only reach compose by other routes.
 *
 * Nothing here logs. maskConfigOutput never throws: if masking fails
 * unexpectedly, it returns WITHHELD_OUTPUT in place of the output.
 */

import { isUtf8 } from 'node:buffer';
import { isMap, isScalar, parseDocument, visit } from 'yaml';

export const DEFAULT_MASK = '********';

/** Replaces the whole output when masking itself fails, so no secret can leak. */
export const WITHHELD_OUTPUT = 'amulet: compose output withheld because masking it failed; run with --reveal to see it\n';

/** Minimum secret length, in UTF-8 bytes, for masking a secret inside longer text. */
export const MIN_SUBSTRING_BYTES = 4;

export interface MaskOptions {
  /** Text that replaces each secret. Default: DEFAULT_MASK. */
  mask?: string;
}

/**
 * The secrets in the forms that are searched for: `needles` are masked
 * wherever they occur, longest first, and `wholeValues` (short secrets and
 * their `$$` forms) only where a whole scalar or line equals them.
 */
interface PreparedSecrets {
  needles: string[];
  wholeValues: Set<string>;
}

/**
 * Returns `output` with every secret in `secrets` replaced by the mask.
 * See the file header for the forms that are recognized and the limits.
 */
export function maskConfigOutput(
  output: string,
  secrets: ReadonlyArray<Buffer>,
  options: MaskOptions = {},
): string {
  try {
    const mask = options.mask ?? DEFAULT_MASK;
    const prepared = prepareSecrets(secrets);
    if (prepared.needles.length === 0 && prepared.wholeValues.size === 0) {
      return output;
    }

    let masked = output;
    try {
      masked = maskScalars(output, prepared, mask);
    } catch {
      // The text pass below still masks every encoded form it recognizes.
      masked = output;
    }
    return maskText(masked, prepared, mask);
  } catch {
    return WITHHELD_OUTPUT;
  }
}

// --- Preparing the secrets -------------------------------------------------

function doubleDollars(value: string): string {
  return value.replace(/\$/g, '$$$$');
}

function prepareSecrets(secrets: ReadonlyArray<Buffer>): PreparedSecrets {
  const needles = new Set<string>();
  const wholeValues = new Set<string>();

  for (const secret of secrets) {
    if (secret.length === 0) continue;

    // Invalid UTF-8 sequences decode to U+FFFD.
    const text = secret.toString('utf8');
    if (secret.length < MIN_SUBSTRING_BYTES) {
      wholeValues.add(text);
      wholeValues.add(doubleDollars(text));
    } else {
      needles.add(text);
    }

    const fragments: string[] = [];
    if (!isUtf8(secret)) fragments.push(...text.split('\uFFFD'));
    if (/[\r\n]/.test(text)) fragments.push(...text.split(/\r\n|\r|\n/));
    for (const fragment of fragments) {
      const trimmed = fragment.trim();
      if (Buffer.byteLength(trimmed, 'utf8') >= MIN_SUBSTRING_BYTES) needles.add(trimmed);
    }
  }

  // Longest first, so that a secret containing another secret is masked
  // whole before the shorter one can cut it apart.
  return { needles: [...needles].sort((a, b) => b.length - a.length), wholeValues };
}

/** Masks the secrets in one decoded scalar value. */
function maskDecoded(value: string, prepared: PreparedSecrets, mask: string): string {
  if (prepared.wholeValues.has(value)) return mask;

  let masked = value;
  for (const needle of prepared.needles) {
    masked = masked.split(doubleDollars(needle)).join(mask);
    masked = masked.split(needle).join(mask);
  }
  return masked;
}

// --- Pass 1: scalars of a YAML or JSON mapping -----------------------------

interface Edit {
  start: number;
  end: number;
  replacement: string;
}

/**
 * Replaces each scalar of a YAML or JSON mapping whose decoded value contains
 * a secret. Returns `output` unchanged when it does not parse cleanly as a
 * mapping or contains no secret.
 */
function maskScalars(output: string, prepared: PreparedSecrets, mask: string): string {
  const document = parseDocument(output, { uniqueKeys: false, prettyErrors: false });
  if (document.errors.length > 0 || !isMap(document.contents)) return output;

  const edits: Edit[] = [];
  visit(document, {
    Scalar(_key, node) {
      if (!isScalar(node) || node.range == null) return;
      // `source` is the decoded text, also for scalars that resolve to numbers
      // or booleans. Scalars built by the parser always have it.
      const decoded = typeof node.source === 'string' ? node.source : String(node.value);
      const masked = maskDecoded(decoded, prepared, mask);
      if (masked === decoded) return;

      const [start, end] = node.range;
      // Block scalars (`|`, `>`) end after their last line break. Keep it, or
      // the next key would join the replacement's line.
      const original = output.slice(start, end);
      const tail = original.slice(original.trimEnd().length);
      const replacement = JSON.stringify(masked) + (tail.includes('\n') ? tail : '');
      edits.push({ start, end, replacement });
    },
  });
  if (edits.length === 0) return output;

  // Scalars never overlap, so applying the edits from the end keeps the
  // earlier offsets valid.
  edits.sort((a, b) => b.start - a.start);
  let masked = output;
  for (const { start, end, replacement } of edits) {
    masked = masked.slice(0, start) + replacement + masked.slice(end);
  }
  return masked;
}

// --- Pass 2: text ------------------------------------------------------------

function maskText(output: string, prepared: PreparedSecrets, mask: string): string {
  let masked = output;
  for (const needle of prepared.needles) {
    // A line break at either end of a secret is left in place, because
    // masking it would join the mask to the next or previous output line.
    const core = needle.replace(/^[\r\n]+|[\r\n]+$/g, '');
    if (Buffer.byteLength(core, 'utf8') < MIN_SUBSTRING_BYTES) continue;
    masked = replaceEncodedForms(masked, core, mask);
  }

  if (prepared.wholeValues.size > 0) {
    masked = masked
      .split(/(\r?\n)/)
      .map((line) => {
        const trimmed = line.trim();
        return prepared.wholeValues.has(trimmed) ? line.replace(trimmed, () => mask) : line;
      })
      .join('');
  }
  return masked;
}

/**
 * Secrets longer than this many code points are searched for in their raw,
 * `$$` and JSON forms only. The pattern from buildSecretPattern is about 100
 * times longer than the secret: for a 400,000-character secret, V8 worked on
 * it for about 6 seconds and then threw (Node 20, measured in the tests).
 */
const MAX_PATTERN_CODE_POINTS = 16_384;

function replaceEncodedForms(text: string, secret: string, mask: string): string {
  if (secret.length <= MAX_PATTERN_CODE_POINTS) {
    try {
      return text.replace(buildSecretPattern(secret), () => mask);
    } catch {
      // V8 throws for a pattern it cannot compile or for a stack overflow
      // while matching. The literal forms below still apply.
    }
  }
  return replaceLiteralForms(text, secret, mask);
}

/** Replaces the raw, `$$` and JSON forms of `secret`, for secrets without a pattern. */
function replaceLiteralForms(text: string, needle: string, mask: string): string {
  const forms = new Set<string>();
  for (const value of [doubleDollars(needle), needle]) {
    forms.add(value);
    forms.add(JSON.stringify(value).slice(1, -1));
  }
  let masked = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    masked = masked.split(form).join(mask);
  }
  return masked;
}

/*
 * Escapes that YAML double-quoted scalars (PyYAML, go-yaml) and JSON use for
 * a character, after the backslash. `\/` is JSON and YAML 1.2; `\` before a
 * space or TAB is YAML, and PyYAML writes `\ ` for a space after a line fold.
 */
const NAMED_ESCAPES: ReadonlyMap<string, string[]> = new Map([
  ['\0', ['0']],
  ['\x07', ['a']],
  ['\b', ['b']],
  ['\t', ['t', '\t']],
  ['\n', ['n']],
  ['\v', ['v']],
  ['\f', ['f']],
  ['\r', ['r']],
  ['\x1b', ['e']],
  [' ', [' ']],
  ['"', ['"']],
  ['/', ['/']],
  ['\\', ['\\']],
  ['\x85', ['N']],
  ['\xa0', ['_']],
  ['\u2028', ['L']],
  ['\u2029', ['P']],
]);

/** Line breaks in YAML 1.1, which PyYAML writes raw inside quoted scalars. */
const YAML_11_BREAKS = new Set(['\x85', '\u2028', '\u2029']);

/**
 * A line fold inside a double-quoted scalar: a backslash at the end of the
 * line, then the next line's indentation. PyYAML folds at 80 columns, at a
 * space or right after an escape, so one may sit between any two characters.
 */
const DOUBLE_QUOTED_FOLD = String.raw`(?:\\\r?\n[ \t]*)?`;

/** Matches `\` followed by `code` in hex, zero-padded to `width`, either case. */
function hexEscape(prefix: string, code: number, width: number): string {
  const digits = code.toString(16).padStart(width, '0');
  const classes = [...digits].map((digit) => (/[a-f]/.test(digit) ? `[${digit}${digit.toUpperCase()}]` : digit));
  return prefix + classes.join('');
}

/** Escapes one character for a pattern without the `u` flag. */
function literal(character: string): string {
  if (/^[A-Za-z0-9]$/.test(character)) return character;
  let escaped = '';
  for (let i = 0; i < character.length; i++) {
    escaped += '\\u' + character.charCodeAt(i).toString(16).padStart(4, '0');
  }
  return escaped;
}

/**
 * Returns the alternatives that one code point of a secret can appear as.
 * Line folds
 * are allowed only for `interior` code points: at either end of the secret,
 * a fold alternative would swallow the line break and indentation around it.
 */
function characterPattern(character: string, interior: boolean): string {
  const code = character.codePointAt(0) ?? 0;
  // The raw character goes last. Tried first, a raw `\` would match only
  // the first half of an escaped `\\` and leave `\"` to break the quoting.
  const alternatives: string[] = [];

  // compose `config` doubles `$`; YAML single quotes double `'`.
  if (character === '$') alternatives.push(String.raw`\$\$`);
  if (character === "'") alternatives.push("''");

  for (const name of NAMED_ESCAPES.get(character) ?? []) {
    alternatives.push(String.raw`\\` + literal(name));
  }

  // Numeric escapes: YAML `\xNN`, `\uNNNN`, `\UNNNNNNNN` and JSON `\uNNNN`,
  // including JSON surrogate pairs and Go's `\u003c` for `<`, `>` and `&`.
  if (code <= 0xff) {
    alternatives.push(hexEscape(String.raw`\\(?:x|u00|U000000)`, code, 2));
  } else if (code <= 0xffff) {
    alternatives.push(hexEscape(String.raw`\\(?:u|U0000)`, code, 4));
  } else {
    alternatives.push(hexEscape(String.raw`\\U`, code, 8));
    const high = character.charCodeAt(0);
    const low = character.charCodeAt(1);
    alternatives.push(hexEscape(String.raw`\\u`, high, 4) + hexEscape(String.raw`\\u`, low, 4));
  }

  // Plain and single-quoted scalars fold long lines at a single space, which
  // becomes a line break and the next line's indentation.
  if (interior && character === ' ') alternatives.push(String.raw`\r?\n[ \t]*`);
  // A line break in a block scalar is followed by indentation. In a
  // single-quoted scalar the first break of a run is written twice.
  if (interior && character === '\n') alternatives.push(String.raw`(?:\r?\n[ \t]*){1,2}`);
  if (interior && YAML_11_BREAKS.has(character)) {
    alternatives.push(literal(character) + String.raw`(?:\r?\n)?[ \t]*`);
  }

  alternatives.push(literal(character));
  return `(?:${alternatives.join('|')})`;
}

/**
 * Builds a pattern that matches `secret` in any encoding that YAML and JSON
 * emitters use, mixed freely. It accepts raw characters, `$$` for `$`, `''`
 * for `'`, named and numeric escapes in either hex case, and the line folds
 * of YAML double-quoted, single-quoted, plain and block scalars. The pattern
 * is loose on purpose: it may also match text that no single style would
 * write for the secret, which only masks more.
 */
function buildSecretPattern(secret: string): RegExp {
  const characters = [...secret];
  const parts = characters.map((character, index) =>
    characterPattern(character, index > 0 && index < characters.length - 1),
  );
  return new RegExp(parts.join(DOUBLE_QUOTED_FOLD), 'g');
}
