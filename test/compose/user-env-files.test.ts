import { checkUserEnvFiles, findUnterminatedQuote, joinEnvFile } from '../../src/compose/user-env-files';

describe('findUnterminatedQuote', () => {
  const closed: Array<[string, string]> = [
    ['plain values', 'A=1\nB=two words\n'],
    ['comments with quotes', "# it's fine\nA=1 # don't\n"],
    ['quote inside an unquoted value', "A=it's\n"],
    ['double-quoted value', 'A="x y"\n'],
    ['multi-line double-quoted value', 'A="line 1\nline 2"\nB=1\n'],
    ['escaped double quote', 'A="say \\"hi\\""\n'],
    ['single-quoted value', "A='x'\n"],
    ['export prefix', 'export A="x"\n'],
    ['no final newline', 'A="x"'],
    ['empty file', ''],
  ];

  test.each(closed)('%s is accepted', (_name, text) => {
    expect(findUnterminatedQuote(Buffer.from(text), 'python-dotenv')).toBeNull();
    expect(findUnterminatedQuote(Buffer.from(text), 'compose-go')).toBeNull();
  });

  test.each([
    ['double quote never closed', 'A=1\nB="open\nC=3\n', 2],
    ['single quote never closed', "A='open\n", 1],
    ['escaped quote at the end', 'A="x\\"\n', 1],
    ['spaces around the equals sign', 'A=1\nB = "open\n', 2],
  ])('%s is found', (_name, text, line) => {
    expect(findUnterminatedQuote(Buffer.from(text), 'python-dotenv')).toBe(line);
  });

  test('escaped backslash before the quote differs by dialect', () => {
    const text = Buffer.from('A="ends in a backslash\\\\"\n');
    // python-dotenv's regex reads \\" as an escaped quote, so the value never closes there.
    expect(findUnterminatedQuote(text, 'python-dotenv')).toBe(1);
    expect(findUnterminatedQuote(text, 'compose-go')).toBeNull();
  });
});

describe('checkUserEnvFiles', () => {
  test('error names the file and line', () => {
    const files = [{ path: '/project/.env', data: Buffer.from('A=1\nB="open\n') }];
    expect(() => checkUserEnvFiles(files, 'python-dotenv')).toThrow(
      'env file /project/.env has a quoted value at line 2 that is never closed',
    );
  });
});

describe('joinEnvFile', () => {
  test('adds a newline between files that lack one', () => {
    const joined = joinEnvFile(
      [
        { path: 'a', data: Buffer.from('A=1') },
        { path: 'b', data: Buffer.from('B=2\n') },
      ],
      Buffer.from('S="x"\n'),
    );
    expect(joined.toString()).toBe('A=1\nB=2\nS="x"\n');
  });
});
