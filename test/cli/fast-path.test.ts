import { parseUnsealFastPath } from '../../src/cli/fast-path';

describe('parseUnsealFastPath', () => {
  test('plain unseal is parsed', () => {
    expect(parseUnsealFastPath(['unseal', 'KEY'])).toEqual({
      command: 'unseal',
      args: { file: 'amulet.vault', key: 'KEY', tty: false },
    });
  });

  test('every supported option is parsed', () => {
    const parsed = parseUnsealFastPath(['verify', '--vault', 'v.vault', 'KEY', '--tty', '--passphrase-fd', '3']);
    expect(parsed).toEqual({
      command: 'verify',
      args: { file: 'v.vault', key: 'KEY', tty: true, passphraseFd: 3 },
    });
  });

  test('--file and --passphrase-file are parsed', () => {
    const parsed = parseUnsealFastPath(['unseal', '--file', 'x.vault', '--passphrase-file', 'p', 'KEY']);
    expect(parsed?.args).toEqual({ file: 'x.vault', key: 'KEY', tty: false, passphraseFile: 'p' });
  });

  test.each([
    [['list']],
    [['unseal']],
    [['unseal', 'A', 'B']],
    [['unseal', 'KEY', '--help']],
    [['unseal', 'KEY', '--unknown']],
    [['unseal', 'KEY', '--vault']],
    [['unseal', 'KEY', '--vault=x']],
    [['unseal', 'KEY', '--passphrase-fd', 'three']],
    [['unseal', 'KEY', '--passphrase-file', 'a', '--passphrase-file', 'b']],
  ])('%j falls back to yargs', (argv) => {
    expect(parseUnsealFastPath(argv)).toBeNull();
  });
});
