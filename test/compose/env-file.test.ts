import { accessSync, constants as fsConstants, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import execa from 'execa';
import {
  encodeEnvFile,
  EnvFileDialect,
  EnvFileEntry,
  EnvFileError,
  validateEnvName,
  validateEnvValue,
} from '../../src/compose/env-file';
import { ComposeGoParseError, parseComposeGoDotenv } from './compose-go-dotenv';
import { describeWithTool } from '../support/describe-with-tool';

// All secrets below are made up for these tests.

const PEM_LINES = [
  '-----BEGIN TEST PRIVATE KEY-----',
  'TUFERS1VUC1URVNULUtFWS1OT1QtQS1SRUFMLUtFWS0wMTIzNDU2Nzg5',
  'YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXorLz0=',
  '-----END TEST PRIVATE KEY-----',
];

/** Values that each break at least one naive way of writing an env file. */
const HARD_VALUES: ReadonlyArray<readonly [name: string, value: string]> = [
  ['DOLLAR', '$'],
  ['DOUBLE_DOLLAR', 'pa$$word'],
  ['BRACED_HOME', '${HOME}'],
  ['BARE_HOME', '$HOME'],
  ['BRACED_WITH_DEFAULT', '${HOME:-fallback}'],
  ['NESTED_BRACES', '${${AMULET_TEST_PROCESS_VAR}}'],
  ['PROCESS_VAR_REFERENCE', 'x${AMULET_TEST_PROCESS_VAR}y'],
  ['EMPTY_BRACES', '${}'],
  ['UNCLOSED_BRACE', 'abc${'],
  ['DOLLAR_AT_END', 'abc$'],
  ['BRACES_ONLY', '}{'],
  ['DEFAULT_SYNTAX_ALONE', ':-$}'],
  ['SINGLE_QUOTE', "it's"],
  ['DOUBLE_QUOTES', 'say "hi"'],
  ['BACKTICKS', '`whoami`'],
  ['BACKSLASH', 'a\\b'],
  ['TRAILING_BACKSLASH', 'secret\\'],
  ['ONLY_BACKSLASH', '\\'],
  ['TWO_TRAILING_BACKSLASHES', 'x\\\\'],
  ['BACKSLASH_THEN_QUOTE', 'a\\"'],
  ['QUOTE_THEN_BACKSLASH', '"\\'],
  ['BACKSLASH_BEFORE_DOLLAR_BRACE', '\\${HOME}'],
  ['BACKSLASH_N_LITERALLY', 'line1\\nline2'],
  ['OTHER_ESCAPES_LITERALLY', '\\t\\r\\a\\b\\f\\v\\0\\0123\\x41\\u0041\\$\\\'\\"'],
  ['HASH_AFTER_SPACE', 'pass #not-a-comment'],
  ['HASH_FIRST', '#starts-with-hash'],
  ['LEADING_AND_TRAILING_SPACES', '  padded  '],
  ['TABS', '\tx\t'],
  ['EQUALS_SIGNS', 'a=b=='],
  ['NON_ASCII', 'pässwörd-密码-🔑'],
  ['UNICODE_SPACES_AND_BREAKS', '\u00a0x\u0085y\u2028z\u2029\u3000\ufeff'],
  ['CONTROL_CHARACTERS', '\x01\x07\x0b\x0c\x1b\x1c\x7f'],
  ['PEM_LF', PEM_LINES.join('\n') + '\n'],
  ['PEM_CRLF', PEM_LINES.join('\r\n') + '\r\n'],
  ['LONE_CR', 'a\rb'],
  ['ONLY_NEWLINE', '\n'],
  ['EMPTY', ''],
  ['LOOKS_SINGLE_QUOTED', "'quoted'"],
  ['LOOKS_DOUBLE_QUOTED', '"quoted"'],
  ['LOOKS_LIKE_EXPORT', 'export X=1'],
  ['LOOKS_LIKE_A_SECOND_LINE', 'x"\nSECOND=added'],
  ['EVERYTHING_AT_ONCE', ' $a ${b} \'c\' "d" `e` \\f #g\r\nh=i\\'],
];

function entriesOf(table: ReadonlyArray<readonly [string, string]>): EnvFileEntry[] {
  return table.map(([name, value]) => ({ name, value: Buffer.from(value, 'utf8') }));
}

/** Small deterministic PRNG (mulberry32), so generated values are the same on every run. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values built from the pieces the parsers treat specially, in random order. */
function generatedEntries(count: number): EnvFileEntry[] {
  const pieces = [
    '$', '$$', '{', '}', '${', ':-', '?', '\\', '\\\\', '"', "'", '`', '#', ' #', ' ', '\t',
    '\n', '\r', '\r\n', '=', 'a', 'Z', '0', 'n', 'é', '🔑', '\u2028', '\u0085', '\u00a0',
  ];
  const random = prng(20240611);
  const entries: EnvFileEntry[] = [];
  for (let i = 0; i < count; i++) {
    let value = '';
    const length = Math.floor(random() * 16);
    for (let j = 0; j < length; j++) value += pieces[Math.floor(random() * pieces.length)];
    entries.push({ name: `GENERATED_${i}`, value: Buffer.from(value, 'utf8') });
  }
  return entries;
}

const DIALECTS: EnvFileDialect[] = ['compose-go', 'python-dotenv'];

// The process environment the engines run with in these tests. A value that
// the engine wrongly interpolated would pick these up and fail the test. The
// entry with an empty name (passed as "=...") is legal to pass, and
// python-dotenv would substitute it for `${}` or `${:-x}`.
const PROCESS_VAR_VALUE = 'from-the-process-environment';
function engineEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: '/home/amulet-test-home',
    AMULET_TEST_PROCESS_VAR: PROCESS_VAR_VALUE,
    '': 'from-an-empty-name',
  };
}

function composeGoLookup(name: string): string | undefined {
  return engineEnv()[name];
}

/** Hex-encodes values so a mismatch shows the exact bytes. */
function asHex(entries: ReadonlyArray<EnvFileEntry>): Record<string, string> {
  return Object.fromEntries(entries.map(({ name, value }) => [name, value.toString('hex')]));
}

function mapAsHex(map: Map<string, Buffer>): Record<string, string> {
  return Object.fromEntries([...map].map(([name, value]) => [name, value.toString('hex')]));
}

// --- Tools that are only present on some machines --------------------------

function commandSucceeds(command: string, args: string[]): string | undefined {
  try {
    return execa.sync(command, args, { reject: true, timeout: 30_000 }).stdout;
  } catch {
    return undefined;
  }
}

/** A Python interpreter that has python-dotenv, and the python-dotenv version. */
interface PythonDotenv {
  interpreter: string;
  version: string;
}

/** Absolute path of a command found on PATH, or undefined. */
function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir || '.', command);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Returns the interpreter named on a script's first line, such as docker-compose's "#!/usr/bin/python3". */
function shebangInterpreter(script: string | undefined): string | undefined {
  if (script === undefined) return undefined;
  const firstLine = readFileSync(script, 'utf8').split('\n', 1)[0];
  const words = firstLine.startsWith('#!') ? firstLine.slice(2).trim().split(/\s+/) : [];
  return path.basename(words[0] ?? '') === 'env' ? words[1] : words[0];
}

const DOCKER_COMPOSE = onPath('docker-compose');
const DOCKER_COMPOSE_VERSION = DOCKER_COMPOSE && commandSucceeds(DOCKER_COMPOSE, ['version', '--short']);
// docker-compose 1.x is a Python script, and the python-dotenv of its
// interpreter is the one that reads `--env-file`.
const DOCKER_COMPOSE_PYTHON = DOCKER_COMPOSE_VERSION?.trim().startsWith('1.')
  ? shebangInterpreter(DOCKER_COMPOSE)
  : undefined;
const HAVE_DOCKER_COMPOSE_V1 =
  DOCKER_COMPOSE_PYTHON !== undefined &&
  commandSucceeds(DOCKER_COMPOSE_PYTHON, ['-c', 'import compose.config, dotenv, yaml']) !== undefined;

/**
 * Finds the distinct python-dotenv installations to test: the one that
 * docker-compose 1.x runs with, and the one of `python3` on PATH (where
 * pip-installed tools such as podman-compose usually live). They can differ.
 * On the development machine docker-compose uses Debian's python-dotenv
 * 0.21.0, while `python3` is a pyenv build with python-dotenv 1.2.2.
 */
function findPythonDotenvs(): PythonDotenv[] {
  const found = new Map<string, PythonDotenv>();
  for (const interpreter of [DOCKER_COMPOSE_PYTHON, 'python3']) {
    if (interpreter === undefined) continue;
    const probe = commandSucceeds(interpreter, [
      '-c',
      'import os, sys; from dotenv.version import __version__; print(os.path.realpath(sys.executable), __version__)',
    ]);
    if (probe === undefined) continue;
    const [executable, version] = probe.trim().split(' ');
    const key = `${executable} ${version}`;
    if (!found.has(key)) found.set(key, { interpreter, version });
  }
  return [...found.values()];
}

const PYTHON_DOTENVS = findPythonDotenvs();

// --- Reading env files back with the real python-dotenv ---------------------

// Reads env files the way an engine does and prints, for each file given
// after the mode, {name: hex(value)}. docker-compose 1.29
// (compose/config/environment.py) calls dotenv_values(path,
// encoding='utf-8-sig', interpolate=True); podman-compose calls
// dotenv_values(path) with its defaults (utf-8, interpolate=True).
const PYTHON_READER = `
import json, sys
from dotenv import dotenv_values
def read(mode, path):
    if mode == 'docker-compose':
        return dotenv_values(path, encoding='utf-8-sig', interpolate=True)
    return dotenv_values(path)
mode, paths = sys.argv[1], sys.argv[2:]
json.dump([{k: (None if v is None else v.encode('utf-8').hex()) for k, v in read(mode, p).items()} for p in paths], sys.stdout)
`;

// Loads a compose file with docker-compose 1.29's own Python modules, as
// `docker-compose up` does before it talks to the engine, and prints
// {name: hex(value)} for service s. Arguments: compose file, env file.
const COMPOSE_LOADER = `
import json, os, sys
from compose.config import config
from compose.config.environment import Environment
compose_file, env_file = sys.argv[1], sys.argv[2]
base_dir = os.path.dirname(compose_file)
environment = Environment.from_env_file(base_dir, env_file)
loaded = config.load(config.find(base_dir, [compose_file], environment))
values = loaded.services[0]['environment']
json.dump({k: v.encode('utf-8').hex() for k, v in values.items()}, sys.stdout)
`;

// Reads `docker-compose config` YAML on stdin and prints {name: hex(value)}
// for service s. The config output doubles every "$", so this undoes that.
const CONFIG_READER = `
import json, sys, yaml
config = yaml.safe_load(sys.stdin)
environment = config['services']['s']['environment']
json.dump({k: str(v).replace('$$', '$').encode('utf-8').hex() for k, v in environment.items()}, sys.stdout)
`;

let workDir: string;
let fileCounter = 0;

beforeAll(async () => {
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'amulet-env-file-test-'));
});

afterAll(async () => {
  if (workDir !== undefined) await fs.rm(workDir, { recursive: true, force: true });
});

async function writeEnvFile(contents: Buffer): Promise<string> {
  const file = path.join(workDir, `values-${++fileCounter}.env`);
  await fs.writeFile(file, contents, { mode: 0o600 });
  return file;
}

async function readWithPythonDotenv(
  python: string,
  files: ReadonlyArray<string>,
  mode: 'docker-compose' | 'podman-compose',
): Promise<Array<Record<string, string | null>>> {
  const result = await execa(python, ['-c', PYTHON_READER, mode, ...files], {
    env: engineEnv(),
    extendEnv: false,
    stdin: 'ignore',
  });
  // python-dotenv logs a warning for each statement it cannot parse.
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as Array<Record<string, string | null>>;
}

async function writeComposeFile(names: ReadonlyArray<string>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(workDir, 'compose-'));
  const composeFile = path.join(dir, 'docker-compose.yml');
  const environment = names.map((name) => `      ${name}: "\${${name}}"`).join('\n');
  await fs.writeFile(composeFile, `services:\n  s:\n    image: x\n    environment:\n${environment}\n`);
  return composeFile;
}

/** Returns the values that docker-compose 1.29 would send to the engine for service s. */
async function readWithComposeLoader(
  envFile: string,
  names: ReadonlyArray<string>,
): Promise<Record<string, string>> {
  const composeFile = await writeComposeFile(names);
  const result = await execa(DOCKER_COMPOSE_PYTHON as string, ['-c', COMPOSE_LOADER, composeFile, envFile], {
    cwd: path.dirname(composeFile),
    env: engineEnv(),
    extendEnv: false,
    stdin: 'ignore',
  });
  return JSON.parse(result.stdout) as Record<string, string>;
}

/** Returns the values for service s as `docker-compose config` (1.29) prints them. */
async function readWithDockerComposeConfig(
  envFile: string,
  names: ReadonlyArray<string>,
): Promise<Record<string, string>> {
  const composeFile = await writeComposeFile(names);
  const config = await execa(DOCKER_COMPOSE as string, ['-f', composeFile, '--env-file', envFile, 'config'], {
    cwd: path.dirname(composeFile),
    env: engineEnv(),
    extendEnv: false,
    stdin: 'ignore',
  });
  const parsed = await execa(DOCKER_COMPOSE_PYTHON as string, ['-c', CONFIG_READER], { input: config.stdout });
  return JSON.parse(parsed.stdout) as Record<string, string>;
}

// --- Specs ------------------------------------------------------------------

describe('encodeEnvFile', () => {
  describe('file format', () => {
    it('writes one line per entry', () => {
      const file = encodeEnvFile(
        [
          { name: 'A', value: Buffer.from('plain') },
          { name: 'B', value: Buffer.from('') },
        ],
        'compose-go',
      );
      expect(file.toString('utf8')).toBe('A="plain"\nB=""\n');
    });

    it('writes nothing for no entries', () => {
      expect(encodeEnvFile([], 'compose-go')).toEqual(Buffer.alloc(0));
      expect(encodeEnvFile([], 'python-dotenv')).toEqual(Buffer.alloc(0));
    });

    it('compose-go: escapes and $$', () => {
      // Escapes \\ " LF CR, and writes $ as $$.
      const file = encodeEnvFile([{ name: 'A', value: Buffer.from('p$w"d\\\r\n${X}') }], 'compose-go');
      expect(file.toString('utf8')).toBe('A="p$$w\\"d\\\\\\r\\n$${X}"\n');
    });

    it('python-dotenv: escapes and ${ forms', () => {
      // Escapes \\ " LF CR, writes "${" as "${=:-$}{", and ends a trailing backslash with "${=}".
      const file = encodeEnvFile([{ name: 'A', value: Buffer.from('p$w"d\r\n${X}\\') }], 'python-dotenv');
      expect(file.toString('utf8')).toBe('A="p$w\\"d\\r\\n${=:-$}{X}\\\\${=}"\n');
    });

    // Each entry is encoded on its own, so the order of entries does not matter.
    it.each(DIALECTS)('%s: entries are independent', (dialect) => {
      const entries = entriesOf(HARD_VALUES);
      const oneByOne = Buffer.concat(entries.map((entry) => encodeEnvFile([entry], dialect)));
      expect(encodeEnvFile(entries, dialect)).toEqual(oneByOne);
    });
  });

  // Each rejection names the key, and never the value.
  describe('rejects what no engine can carry', () => {
    const SECRET_TEXT = 'hunter2-made-up';

    function thrownBy(fn: () => unknown): EnvFileError {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(EnvFileError);
        return error as EnvFileError;
      }
      throw new Error('expected an EnvFileError, but nothing was thrown');
    }

    const BAD_VALUES: ReadonlyArray<readonly [reason: string, value: Buffer]> = [
      ['a NUL byte', Buffer.concat([Buffer.from(SECRET_TEXT), Buffer.from([0]), Buffer.from('tail')])],
      ['a byte that is never UTF-8 (0xff)', Buffer.concat([Buffer.from(SECRET_TEXT), Buffer.from([0xff])])],
      ['a truncated UTF-8 sequence', Buffer.concat([Buffer.from(SECRET_TEXT), Buffer.from([0xe2, 0x82])])],
      ['an overlong UTF-8 encoding', Buffer.concat([Buffer.from(SECRET_TEXT), Buffer.from([0xc0, 0xaf])])],
      ['a UTF-16 surrogate encoded as UTF-8', Buffer.concat([Buffer.from(SECRET_TEXT), Buffer.from([0xed, 0xa0, 0x80])])],
    ];

    describe.each(DIALECTS)('%s', (dialect) => {
      it.each(BAD_VALUES)('a value with %s', (_reason, value) => {
        const error = thrownBy(() =>
          encodeEnvFile(
            [
              { name: 'GOOD', value: Buffer.from('fine') },
              { name: 'DB_PASSWORD', value },
            ],
            dialect,
          ),
        );
        expect(error.key).toBe('DB_PASSWORD');
        expect(error.message).toContain('DB_PASSWORD');
        expect(error.message).not.toContain(SECRET_TEXT);
        expect(error.message).not.toContain('hunter2');
        expect(error.message).not.toContain('tail');
      });

      it('a name that appears twice', () => {
        const error = thrownBy(() =>
          encodeEnvFile(
            [
              { name: 'TOKEN', value: Buffer.from(SECRET_TEXT) },
              { name: 'TOKEN', value: Buffer.from(SECRET_TEXT) },
            ],
            dialect,
          ),
        );
        expect(error.key).toBe('TOKEN');
        expect(error.message).toContain('TOKEN');
        expect(error.message).not.toContain(SECRET_TEXT);
      });
    });

    it.each(['', '1ABC', 'A-B', 'A B', 'A=B', 'A.B', 'ÄBC', 'A\nB', 'export A'])(
      'the name %j',
      (name) => {
        const error = thrownBy(() => validateEnvName(name));
        expect(error.key).toBe(name);
        expect(error.message).toContain(JSON.stringify(name));
        const fromEncode = thrownBy(() => encodeEnvFile([{ name, value: Buffer.from(SECRET_TEXT) }], 'compose-go'));
        expect(fromEncode.message).not.toContain(SECRET_TEXT);
      },
    );

    it('accepts carriable names and values', () => {
      for (const name of ['A', '_', '_A1', 'a_b_C9', 'export']) expect(() => validateEnvName(name)).not.toThrow();
      for (const [name, value] of HARD_VALUES) {
        expect(() => validateEnvValue(name, Buffer.from(value, 'utf8'))).not.toThrow();
      }
    });

    it('rejects an unknown dialect', () => {
      expect(() => encodeEnvFile([], 'dotenv' as EnvFileDialect)).toThrow('unknown env file dialect');
    });
  });

  describe('compose-go, read by the reference decoder', () => {
    it.each(HARD_VALUES)('carries %s', (name, value) => {
      const entry = { name, value: Buffer.from(value, 'utf8') };
      const parsed = parseComposeGoDotenv(encodeEnvFile([entry], 'compose-go'), composeGoLookup);
      expect(mapAsHex(parsed)).toEqual(asHex([entry]));
    });

    it('carries all hard values, both orders', () => {
      const entries = entriesOf(HARD_VALUES);
      for (const ordered of [entries, [...entries].reverse()]) {
        const parsed = parseComposeGoDotenv(encodeEnvFile(ordered, 'compose-go'), composeGoLookup);
        expect(mapAsHex(parsed)).toEqual(asHex(entries));
      }
    });

    it('carries 500 generated values in one file', () => {
      const entries = generatedEntries(500);
      const parsed = parseComposeGoDotenv(encodeEnvFile(entries, 'compose-go'), composeGoLookup);
      expect(mapAsHex(parsed)).toEqual(asHex(entries));
    });
  });

  describe('compose-go reference decoder', () => {
    const decode = (text: string) =>
      Object.fromEntries([...parseComposeGoDotenv(Buffer.from(text), composeGoLookup)].map(([k, v]) => [k, v.toString()]));

    it('interpolates all but single quotes', () => {
      expect(decode('A=$HOME\nB="${HOME}"\nC=\'$HOME\'\nD=$$x\n')).toEqual({
        A: '/home/amulet-test-home',
        B: '/home/amulet-test-home',
        C: '$HOME',
        D: '$x',
      });
    });

    it('strips comments from unquoted values', () => {
      expect(decode('A=x #c\nB=x#c  \nC="x #c"\n# whole line\nexport D=1\n')).toEqual({
        A: 'x',
        B: 'x#c',
        C: 'x #c',
        D: '1',
      });
    });

    it('decodes escapes in double quotes', () => {
      expect(decode('A="a\\\\b\\"c\\nd\\$e\\0101"\nB=\'a\\\\b\\\'c\\n\'\n')).toEqual({
        A: 'a\\b"c\nd$eA',
        B: "a\\\\b'c\\n",
      });
    });

    it('rejects a single-quoted trailing backslash', () => {
      expect(() => decode("A='x\\'\n")).toThrow(ComposeGoParseError);
    });

    it('rejects a lone "$"', () => {
      expect(() => decode('A="x$"\n')).toThrow(ComposeGoParseError);
    });
  });

  describeWithTool(
    'python-dotenv, read by the installed python-dotenv',
    'python3 with python-dotenv (Debian package python3-dotenv)',
    PYTHON_DOTENVS.length > 0,
    () => {
      // describe.each rejects an empty table, even in a skipped block.
      const pythons = PYTHON_DOTENVS.length > 0 ? PYTHON_DOTENVS : [{ interpreter: 'python3', version: 'none' }];

      describe.each(pythons.map(({ version, interpreter }) => [version, interpreter]))(
        'python-dotenv %s (%s)',
        (_version, python) => {
          describe.each(['docker-compose', 'podman-compose'] as const)('called as %s calls it', (mode) => {
            it('carries all hard values, both orders', async () => {
              const entries = entriesOf(HARD_VALUES);
              const files = [
                await writeEnvFile(encodeEnvFile(entries, 'python-dotenv')),
                await writeEnvFile(encodeEnvFile([...entries].reverse(), 'python-dotenv')),
              ];
              expect(await readWithPythonDotenv(python, files, mode)).toEqual([asHex(entries), asHex(entries)]);
            });

            it('carries each hard value alone', async () => {
              const entries = entriesOf(HARD_VALUES);
              const files: string[] = [];
              for (const entry of entries) files.push(await writeEnvFile(encodeEnvFile([entry], 'python-dotenv')));
              expect(await readWithPythonDotenv(python, files, mode)).toEqual(entries.map((entry) => asHex([entry])));
            });

            it('carries 500 generated values in one file', async () => {
              const entries = generatedEntries(500);
              const file = await writeEnvFile(encodeEnvFile(entries, 'python-dotenv'));
              expect(await readWithPythonDotenv(python, [file], mode)).toEqual([asHex(entries)]);
            });
          });

          // This is why the encoder appends "${=}" after a trailing backslash.
          it('naive trailing backslash loses entries', async () => {
            const file = await writeEnvFile(Buffer.from('A="x\\\\"\nB="y"\nC="z"\n'));
            const result = await execa(python, ['-c', PYTHON_READER, 'podman-compose', file], {
              env: engineEnv(),
              extendEnv: false,
            });
            // A runs on to the quote that opens B, so A fails to parse and B is lost with it.
            expect(JSON.parse(result.stdout)).toEqual([{ C: Buffer.from('z').toString('hex') }]);
            expect(result.stderr).toContain('could not parse statement');
          });

          // This is why the encoder writes "${" as "${=:-$}{".
          it('naive "${NAME}" reads the process environment', async () => {
            const file = await writeEnvFile(
              Buffer.from('A="${AMULET_TEST_PROCESS_VAR}"\nB=\'${AMULET_TEST_PROCESS_VAR}\'\n'),
            );
            const hex = Buffer.from(PROCESS_VAR_VALUE).toString('hex');
            expect(await readWithPythonDotenv(python, [file], 'podman-compose')).toEqual([{ A: hex, B: hex }]);
          });
        },
      );
    },
  );

  describeWithTool(
    'python-dotenv, end to end through docker-compose v1',
    'docker-compose 1.x (Debian package docker-compose)',
    HAVE_DOCKER_COMPOSE_V1,
    () => {
      it("compose's loader: every hard value", async () => {
        const entries = entriesOf(HARD_VALUES);
        const envFile = await writeEnvFile(encodeEnvFile(entries, 'python-dotenv'));
        const seen = await readWithComposeLoader(envFile, entries.map((entry) => entry.name));
        expect(seen).toEqual(asHex(entries));
      });

      it("compose's loader: 500 generated values", async () => {
        const entries = generatedEntries(500);
        const envFile = await writeEnvFile(encodeEnvFile(entries, 'python-dotenv'));
        const seen = await readWithComposeLoader(envFile, entries.map((entry) => entry.name));
        expect(seen).toEqual(asHex(entries));
      });

      it('`docker-compose config`: hard values', async () => {
        // `config` prints YAML through PyYAML, whose single-quoted style turns
        // U+0085 (NEL) into a line break or a space. That changes only what
        // `config` prints, not what compose sends to the engine (see the
        // loader tests above), so values with NEL are left out here.
        const entries = entriesOf(HARD_VALUES.filter(([, value]) => !value.includes('\u0085')));
        const envFile = await writeEnvFile(encodeEnvFile(entries, 'python-dotenv'));
        const seen = await readWithDockerComposeConfig(envFile, entries.map((entry) => entry.name));
        expect(seen).toEqual(asHex(entries));
      });
    },
  );
});
