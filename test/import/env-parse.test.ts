import { parse as dotenvParse } from 'dotenv';
import { parseEnvFile, WIPE_COMMENT, wipeCommentSuffix, wipeRanges } from '../../src/import/env-parse';
import { buildEnvFixture } from '../support/env-fixture';

function valuesOf(data: Buffer): Record<string, string> {
  return Object.fromEntries(parseEnvFile(data).values);
}

describe('parseEnvFile', () => {
  test('fixture agrees with dotenv', () => {
    const { data } = buildEnvFixture();
    expect(valuesOf(data)).toEqual(dotenvParse(data));
  });

  test('fixture has no invalid lines', () => {
    expect(parseEnvFile(buildEnvFixture().data).invalidLines).toEqual([]);
  });

  test('value ranges match the fixture', () => {
    const { data, valueRanges } = buildEnvFixture();
    const ranges = parseEnvFile(data).assignments.map((assignment) => [assignment.valueStart, assignment.valueEnd]);
    expect(ranges).toEqual(valueRanges);
  });

  test('repeated name keeps the last value', () => {
    expect(parseEnvFile(buildEnvFixture().data).values.get('DUP')).toBe('second');
  });

  test('line numbers count CRLF as one line end', () => {
    const assignments = parseEnvFile(buildEnvFixture().data).assignments;
    expect(assignments.find((assignment) => assignment.name === 'PLAIN')?.line).toBe(2);
    expect(assignments.find((assignment) => assignment.name === 'MIXED')?.line).toBe(11);
  });

  test('CRLF file uses CRLF line ending', () => {
    expect(parseEnvFile(buildEnvFixture().data).lineEnding).toBe('\r\n');
    expect(parseEnvFile(Buffer.from('A=1\n')).lineEnding).toBe('\n');
  });

  test.each([
    ['text without =', 'A=1\nnot a variable\nB=2\n', [2]],
    ['name with a space', 'A=1\nMY KEY=v\n', [2]],
    ['bare export', 'export A\nB=2\n', [1]],
    ['text after U+2028', "A='a'\u2028junk\n", [1]],
    ['several lines', 'x\nA=1\n\ny\n# ok\nz', [1, 4, 6]],
  ])('invalid lines: %s', (_case, text, lines) => {
    const data = Buffer.from(text, 'utf8');
    expect(parseEnvFile(data).invalidLines).toEqual(lines);
    expect(valuesOf(data)).toEqual(dotenvParse(data));
  });

  test.each([
    ['comment and blank lines', '# c\n\n   \n\t# d\r\n'],
    ['lines inside a quoted value', 'A="one\nnot = a variable\ntwo"\n'],
    ['lines inside a single-quoted value', "A='one\n!!!\n'\n"],
  ])('valid lines: %s', (_case, text) => {
    const data = Buffer.from(text, 'utf8');
    expect(parseEnvFile(data).invalidLines).toEqual([]);
    expect(valuesOf(data)).toEqual(dotenvParse(data));
  });

  test.each([
    ['unterminated quote', 'A="open\nB=2\n'],
    ['quote closed on a later line', 'A="x\nB=y"\n'],
    ['lone CR line ends', 'A=1\rB="2"\rC=3'],
    ['escaped quote', 'A="a\\"b"\n'],
    ['unquoted value with quotes inside', "A='x' y\n"],
    ['empty quotes', 'A=""\nB=\'\'\nC=``\n'],
    ['value on the next line', 'A=\n"next"\n'],
    ['dots and dashes in names', 'a.b-c=1\n'],
    ['hash without space', 'A=abc#def\n'],
  ])('agrees with dotenv: %s', (_case, text) => {
    const data = Buffer.from(text, 'utf8');
    expect(valuesOf(data)).toEqual(dotenvParse(data));
  });
});

describe('wipeRanges', () => {
  test('keeps length, CR and LF', () => {
    const data = Buffer.from('A="x\r\ny"\n', 'utf8');
    const [assignment] = parseEnvFile(data).assignments;
    expect(wipeRanges(data, [assignment]).toString('utf8')).toBe('A=" \r\n "\n');
  });

  test('leaves the input unchanged', () => {
    const data = Buffer.from('A=secret\n');
    wipeRanges(data, parseEnvFile(data).assignments);
    expect(data.toString()).toBe('A=secret\n');
  });

  test('multi-byte characters become one space per byte', () => {
    const data = Buffer.from('A=€\n', 'utf8');
    expect(wipeRanges(data, parseEnvFile(data).assignments).toString('utf8')).toBe('A=   \n');
  });
});

describe('wipeCommentSuffix', () => {
  test('adds a line ending first when missing', () => {
    expect(wipeCommentSuffix(Buffer.from('A=1'), '\n')?.toString()).toBe(`\n${WIPE_COMMENT}\n`);
  });

  test('uses the given line ending', () => {
    expect(wipeCommentSuffix(Buffer.from('A=1\r\n'), '\r\n')?.toString()).toBe(`${WIPE_COMMENT}\r\n`);
  });

  test('returns null when the comment is present', () => {
    expect(wipeCommentSuffix(Buffer.from(`A=1\n${WIPE_COMMENT}\n`), '\n')).toBeNull();
  });
});
