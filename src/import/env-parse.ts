// Parsing of `.env` files for `amulet import`, with the syntax of the dotenv npm package (version
// 18, `dotenv.parse` without the `fast` option). It also finds what dotenv does not report: the
// lines dotenv skips, and the byte range of every value, which `--wipe` overwrites in place.
// Pure functions: bytes in, results out. Nothing here reads files or logs.

/**
 * One variable line as dotenv 18 matches it. The pattern is applied with the `m` flag to the text
 * after CRLF and lone CR have been replaced by LF, as dotenv does:
 *
 * - `^\s*(?:export\s+)?` allows leading whitespace (also blank lines and a UTF-8 BOM, which `\s`
 *   matches) and an `export ` prefix;
 * - group 1 is the name, `[\w.-]+`;
 * - group 2 is the separator: `=` with optional whitespace around it, or `:` followed by
 *   whitespace;
 * - group 3 is the raw value: a single-, double- or backtick-quoted string, or else the rest of
 *   the line up to a `#`. A quoted string may span lines, and a backslash before the quote
 *   character does not end it;
 * - trailing whitespace and a `#` comment end the match at a line end.
 *
 * The `d` flag adds the start and end index of each group, which dotenv does not need but the
 * wipe does.
 */
const VARIABLE_LINE = /^\s*(?:export\s+)?([\w.-]+)(\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?$/dgm;

/** The quote stripping dotenv applies to the trimmed raw value, including its `m` flag. */
const SURROUNDING_QUOTES = /^(['"`])([\s\S]*)\1$/gm;

const QUOTE_CHARACTERS = new Set(["'", '"', '`']);

/** One `NAME=value` line of the file. A name that appears twice has two assignments. */
export interface EnvAssignment {
  name: string;
  /** 1-based line number of the name, counting LF, CRLF and lone CR as line ends. */
  line: number;
  /**
   * Byte range `[valueStart, valueEnd)` in the file of the characters that make up the value: the
   * text between the quotes of a quoted value (escape sequences as written), or the unquoted value
   * without surrounding whitespace. Empty for an empty value.
   */
  valueStart: number;
  valueEnd: number;
}

export interface ParsedEnvFile {
  /** Name to value, exactly as `dotenv.parse` returns them; a later assignment of a name wins. */
  values: Map<string, string>;
  /** Every assignment in file order, including the earlier ones of a repeated name. */
  assignments: EnvAssignment[];
  /**
   * 1-based numbers of the lines that are neither an assignment, a comment nor blank, and that
   * are not inside a quoted multi-line value. dotenv skips these lines without a word.
   */
  invalidLines: number[];
  /** The line ending to use for lines added to the file: CRLF when the file has any, else LF. */
  lineEnding: '\n' | '\r\n';
}

/**
 * Maps each index of the LF-normalized text to the byte offset in the file of the character it
 * came from. Index `normalized.length` maps to the length of the file. A CRLF pair becomes one
 * LF in the normalized text and maps to the offset of its CR.
 */
function normalizedIndexToByteOffset(text: string, normalizedLength: number): Uint32Array {
  const offsets = new Uint32Array(normalizedLength + 1);
  let byte = 0;
  let normalized = 0;
  let index = 0;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    offsets[normalized] = byte;
    if (code === 0x0d) {
      const crlf = text.charCodeAt(index + 1) === 0x0a;
      byte += crlf ? 2 : 1;
      index += crlf ? 2 : 1;
      normalized += 1;
    } else if (code >= 0xd800 && code <= 0xdbff) {
      // A surrogate pair is one 4-byte UTF-8 character. No range boundary falls inside it.
      offsets[normalized + 1] = byte;
      byte += 4;
      index += 2;
      normalized += 2;
    } else {
      if (code < 0x80) {
        byte += 1;
      } else if (code < 0x800) {
        byte += 2;
      } else {
        byte += 3;
      }
      index += 1;
      normalized += 1;
    }
  }
  offsets[normalized] = byte;
  return offsets;
}

/** Applies dotenv's value rules to a raw value: trim, strip matching quotes, expand `\n` and `\r` when double-quoted. */
function dotenvValue(raw: string): string {
  let value = raw.trim();
  const first = value[0];
  value = value.replace(SURROUNDING_QUOTES, '$2');
  if (first === '"') {
    value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
  }
  return value;
}

/** Returns the `[start, end)` range of the value's characters in the raw value, without surrounding whitespace and outer quotes. */
function valueRange(raw: string, rawStart: number): [number, number] {
  const trimmedStart = raw.length - raw.trimStart().length;
  const trimmed = raw.trim();
  let start = rawStart + trimmedStart;
  let end = start + trimmed.length;
  if (trimmed.length >= 2 && QUOTE_CHARACTERS.has(trimmed[0]) && trimmed[trimmed.length - 1] === trimmed[0]) {
    start += 1;
    end -= 1;
  }
  return [start, end];
}

/** Returns the 1-based line number of `index`, given the sorted start indexes of the lines. */
function lineNumberAt(lineStarts: readonly number[], index: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (lineStarts[middle] <= index) {
      low = middle;
    } else {
      high = middle - 1;
    }
  }
  return low + 1;
}

/**
 * Finds the lines that no match covers and that are neither blank nor a comment. Besides LF, the
 * JavaScript `m` flag also ends lines at U+2028 and U+2029, so a match can start after one of
 * those inside an LF-terminated line. The check therefore looks at the pieces between all three,
 * and reports them by LF line number.
 */
function findInvalidLines(normalized: string, matches: ReadonlyArray<[number, number]>, lineStarts: readonly number[]): number[] {
  const invalid = new Set<number>();
  const pieceBreak = /[\n\u2028\u2029]/g;
  let pieceStart = 0;
  let matchIndex = 0;
  for (;;) {
    const found = pieceBreak.exec(normalized);
    const pieceEnd = found === null ? normalized.length : found.index;

    // Matches are sorted and do not overlap, so one pointer walks them along with the pieces.
    while (matchIndex < matches.length && matches[matchIndex][1] <= pieceStart) {
      matchIndex += 1;
    }
    const next = matches[matchIndex];
    const covered = next !== undefined && next[0] < pieceEnd && next[1] > pieceStart;
    if (!covered) {
      const piece = normalized.slice(pieceStart, pieceEnd).trim();
      if (piece !== '' && !piece.startsWith('#')) {
        invalid.add(lineNumberAt(lineStarts, pieceStart));
      }
    }

    if (found === null) {
      break;
    }
    pieceStart = pieceEnd + 1;
  }
  return [...invalid].sort((a, b) => a - b);
}

/**
 * Parses a `.env` file. `data` must be valid UTF-8 (check with `isUtf8` first): the byte ranges
 * are computed from the UTF-8 encoding of the decoded text, which matches the file only then.
 */
export function parseEnvFile(data: Buffer): ParsedEnvFile {
  const text = data.toString('utf8');
  const normalized = text.replace(/\r\n?/g, '\n');
  const byteOffset = normalizedIndexToByteOffset(text, normalized.length);

  const lineStarts = [0];
  for (let index = normalized.indexOf('\n'); index >= 0; index = normalized.indexOf('\n', index + 1)) {
    lineStarts.push(index + 1);
  }

  const values = new Map<string, string>();
  const assignments: EnvAssignment[] = [];
  const matches: Array<[number, number]> = [];
  const pattern = new RegExp(VARIABLE_LINE.source, VARIABLE_LINE.flags);
  for (let match = pattern.exec(normalized); match !== null; match = pattern.exec(normalized)) {
    const indices = match.indices!;
    const name = match[1];
    const raw = match[3] ?? '';
    const rawStart = indices[3]?.[0] ?? indices[2][1];
    const [start, end] = valueRange(raw, rawStart);

    values.set(name, dotenvValue(raw));
    assignments.push({
      name,
      line: lineNumberAt(lineStarts, indices[1][0]),
      valueStart: byteOffset[start],
      valueEnd: byteOffset[end],
    });
    matches.push([match.index, match.index + match[0].length]);
  }

  return {
    values,
    assignments,
    invalidLines: findInvalidLines(normalized, matches, lineStarts),
    lineEnding: text.includes('\r\n') ? '\r\n' : '\n',
  };
}

/**
 * Returns a copy of `data` in which every byte in the given ranges is a space, except CR and LF,
 * which stay so that the file keeps its line numbers. The length does not change.
 */
export function wipeRanges(data: Buffer, ranges: ReadonlyArray<{ valueStart: number; valueEnd: number }>): Buffer {
  const wiped = Buffer.from(data);
  for (const { valueStart, valueEnd } of ranges) {
    for (let offset = valueStart; offset < valueEnd; offset += 1) {
      if (wiped[offset] !== 0x0a && wiped[offset] !== 0x0d) {
        wiped[offset] = 0x20;
      }
    }
  }
  return wiped;
}

/** The comment line that `--wipe-comment` appends, without a line ending. */
export const WIPE_COMMENT =
  '# The values in this file were overwritten with spaces by "amulet import --wipe"; they are sealed in the amulet vault.';

/**
 * Returns the bytes to append to `data` so that it ends with the wipe comment on a line of its
 * own, or null when a line of the file already is that comment.
 */
export function wipeCommentSuffix(data: Buffer, lineEnding: '\n' | '\r\n'): Buffer | null {
  const lines = data.toString('utf8').split(/\r\n|\r|\n/);
  if (lines.some((line) => line.trim() === WIPE_COMMENT)) {
    return null;
  }
  const last = data.length > 0 ? data[data.length - 1] : 0x0a;
  const separator = last === 0x0a || last === 0x0d ? '' : lineEnding;
  return Buffer.from(`${separator}${WIPE_COMMENT}${lineEnding}`, 'utf8');
}
