// A .env file that uses every piece of dotenv syntax that `amulet import` supports, built from
// segments so that the tests know the byte range of each value without parsing the file.
// Every value is made up.

type Segment = string | { value: string };

const SEGMENTS: Segment[] = [
  '\ufeff# made-up secrets for tests\r\n',
  'PLAIN=', { value: 'plain-value' }, '\r\n',
  'export EXPORTED=', { value: 'exported value' }, '\n',
  "SINGLE='", { value: 'single $HOME \\n' }, "'\n",
  'DOUBLE="', { value: 'double\\nescaped\\r' }, '"\n',
  'BACKTICK=`', { value: "back 'tick' \"x\"" }, '`\n',
  'INLINE=', { value: 'before comment' }, ' # trailing comment\n',
  'MULTI="', { value: 'line one\nline two\r\nline three' }, '"\n',
  "MIXED='", { value: "it\\'s \"q\" `b` #h" }, "'\n",
  'EQUALS=', { value: 'postgres://user:pw@db/app?sslmode=require&x=1' }, '\n',
  '   SPACED   =   ', { value: 'spaced out' }, '   \n',
  'EMPTY=', { value: '' }, '\n',
  'COLON: ', { value: 'yaml style' }, '\n',
  '\n',
  '  # indented comment\n',
  'DUP=', { value: 'first' }, '\n',
  'DUP=', { value: 'second' }, '\n',
  'UNICODE="', { value: 'ünïcødé € 🔑' }, '"\n',
  'LAST=', { value: 'no newline at end' },
];

export interface EnvFixture {
  data: Buffer;
  /** Byte ranges `[start, end)` of the values, in file order. */
  valueRanges: Array<[number, number]>;
}

export function buildEnvFixture(segments: readonly Segment[] = SEGMENTS): EnvFixture {
  const parts: Buffer[] = [];
  const valueRanges: Array<[number, number]> = [];
  let offset = 0;
  for (const segment of segments) {
    const bytes = Buffer.from(typeof segment === 'string' ? segment : segment.value, 'utf8');
    if (typeof segment !== 'string') {
      valueRanges.push([offset, offset + bytes.length]);
    }
    parts.push(bytes);
    offset += bytes.length;
  }
  return { data: Buffer.concat(parts), valueRanges };
}

/** Returns whether byte `offset` lies in one of `ranges`. */
export function inRanges(ranges: ReadonlyArray<[number, number]>, offset: number): boolean {
  return ranges.some(([start, end]) => offset >= start && offset < end);
}
