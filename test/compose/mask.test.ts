import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import execa from 'execa';
import YAML from 'yaml';
import { DEFAULT_MASK, maskConfigOutput } from '../../src/compose/mask';
import { describeWithTool } from '../support/describe-with-tool';

// All secrets below are made up for these tests.

const PEM_BLOCK =
  [
    '-----BEGIN TEST PRIVATE KEY-----',
    'TUFTSy1URVNULUtFWS1NQURFLVVQLUZPUi1BTVVMRVQtMDEyMzQ1Njc4OQ==',
    'bm90LWEtcmVhbC1rZXktanVzdC1iYXNlNjQtdGV4dC1mb3ItdGVzdHM=',
    '-----END TEST PRIVATE KEY-----',
  ].join('\n') + '\n';

/** 200 characters of short words, long enough for PyYAML to fold at 80 columns. */
const LONG_WITH_SPACES = Array.from({ length: 40 }, (_, i) => `tok${String(i).padStart(2, '0')}`)
  .join(' ')
  .padEnd(200, 'x');

/** Values that compose prints quoted, escaped or folded, or that look like syntax. */
const HARD_VALUES: ReadonlyArray<readonly [name: string, value: string]> = [
  ['DOLLAR', '$'],
  ['DOUBLE_DOLLAR', '$$'],
  ['DOLLARS_IN_WORD', 'pa$$w0rd$'],
  ['BRACED_HOME', '${HOME}'],
  ['SINGLE_QUOTES', "it's 'quoted'"],
  ['DOUBLE_QUOTES', 'say "hi" twice'],
  ['BACKTICKS', 'run `id` now'],
  ['BACKSLASHES', 'C:\\Users\\amulet\\key'],
  ['TRAILING_BACKSLASH', 'secret-ends-in\\'],
  ['HASH_AFTER_SPACE', 'pass #not-a-comment'],
  ['SPACES_AROUND', '  padded value  '],
  ['EQUALS_SIGNS', 'a=b=='],
  ['NON_ASCII', 'pässwörd-密码-🔑'],
  ['PEM_BLOCK', PEM_BLOCK],
  ['LONG_WITH_SPACES', LONG_WITH_SPACES],
  ['HTML_CHARACTERS', 'x<y&z>w'],
  ['COLON_SPACE', 'user: admin'],
  ['CONTROL_CHARACTERS', 'tab\there\x07bell\x1besc'],
  ['CRLF', 'first\r\nsecond'],
  ['UNICODE_SPACES_AND_BREAKS', 'nb\u00a0sp\u2028line-sep\u2029para'],
  ['LONG_WITH_QUOTES_AND_TABS', `${'q'.repeat(45)} "a\tb" ${'r'.repeat(50)} 'c' ${'s'.repeat(40)}`],
  ['LONG_MULTI_LINE', `first line\n${'word '.repeat(30)}\nlast line`],
  ['THREE_BYTES', 'k3y'],
];

const PASSWORD_IN_URL = 'hunter2-made-up';
const IMAGE = 'busybox:1.36';

/** Every secret that the compose file below references. */
const ALL_SECRETS: ReadonlyArray<Buffer> = [
  ...HARD_VALUES.map(([, value]) => Buffer.from(value, 'utf8')),
  Buffer.from(PASSWORD_IN_URL, 'utf8'),
];

function byteLength(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

function doubleDollars(value: string): string {
  return value.replace(/\$/g, '$$$$');
}

/**
 * Returns the plain-text forms of `value` that occur in `text`: the value
 * itself, its `$$` form and each line of 4 or more bytes of a multi-line
 * value. Short values are never searched as substrings (see the mask spec).
 */
function findLeaks(text: string, value: string): string[] {
  const forms: Array<[label: string, form: string]> = [
    ['value', value],
    ['$$ form', doubleDollars(value)],
  ];
  value.split(/\r\n|\r|\n/).forEach((line, index) => {
    forms.push([`line ${index + 1}`, line.trim()]);
  });
  return forms
    .filter(([, form]) => byteLength(form) >= 4 && text.includes(form))
    .map(([label]) => label);
}

/** Collects every string in a decoded document, keys included, also with `$$` read back as `$`. */
function collectStrings(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') {
    into.push(value, value.replace(/\$\$/g, '$'));
  } else if (Array.isArray(value)) {
    for (const item of value) collectStrings(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      collectStrings(key, into);
      collectStrings(item, into);
    }
  }
  return into;
}

/** Names of the decoded strings that still contain `value` (4+ bytes) or equal it. */
function findDecodedLeaks(decoded: unknown, value: string): string[] {
  return collectStrings(decoded).filter((text) =>
    byteLength(value) >= 4 ? text.includes(value) : text === value,
  );
}

// --- Tools that are only present on some machines --------------------------

function commandSucceeds(command: string, args: string[]): boolean {
  try {
    execa.sync(command, args, { reject: true, timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

const HAVE_DOCKER_COMPOSE_V1 = commandSucceeds('docker-compose', ['version', '--short']);
const HAVE_PYYAML = commandSucceeds('python3', ['-c', 'import yaml']);

/** Returns a minimal environment for child processes, so nothing from this shell leaks in. */
function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C.UTF-8', ...extra };
}

// Reads a JSON list of YAML texts on stdin with PyYAML, the loader that
// docker-compose v1 uses, and prints the decoded values as JSON. PyYAML reads
// YAML 1.1, where U+2028 and U+2029 are line breaks. The `yaml` npm package
// reads YAML 1.2, where they are not.
const PYYAML_TO_JSON = `
import json, sys, yaml
def load(text):
    try:
        return {'value': yaml.safe_load(text)}
    except yaml.YAMLError as error:
        return {'error': str(error)}
json.dump([load(text) for text in json.load(sys.stdin)], sys.stdout)
`;

/**
 * Decodes each text with PyYAML. A text that does not parse decodes to
 * undefined, and its error message is stored in `errors`.
 */
async function loadWithPyYaml(texts: ReadonlyArray<string>, errors: string[] = []): Promise<unknown[]> {
  const result = await execa('python3', ['-c', PYYAML_TO_JSON], {
    input: JSON.stringify(texts),
    env: childEnv(),
    extendEnv: false,
  });
  const loaded = JSON.parse(result.stdout) as Array<{ value?: unknown; error?: string }>;
  return loaded.map(({ value, error }) => {
    if (error !== undefined) errors.push(error);
    return value;
  });
}

/** Text appended to compose output so that it no longer parses and only the text pass runs. */
const UNPARSEABLE_TAIL = '\n: [this line is not YAML\n';

interface ComposeConfig {
  services: Record<string, { image: string; command: string[]; environment: Record<string, string> }>;
}

// --- Specs: real docker-compose v1 output ----------------------------------

describeWithTool('maskConfigOutput on docker-compose v1 config output', 'docker-compose (1.x) and PyYAML', HAVE_DOCKER_COMPOSE_V1 && HAVE_PYYAML, () => {
  let workDir: string;
  let rawOutput: string;
  let maskedOutput: string;
  let textPassOutput: string;
  let rawDecoded: ComposeConfig;
  let maskedDecoded: ComposeConfig;
  let textPassDecoded: ComposeConfig;
  const loadErrors: string[] = [];

  beforeAll(async () => {
    workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'amulet-mask-test-'));
    const environment = HARD_VALUES.map(([name]) => `      ${name}: \${${name}}`).join('\n');
    const composeFile = path.join(workDir, 'compose.yml');
    await fs.writeFile(
      composeFile,
      [
        'services:',
        '  web:',
        `    image: ${IMAGE}`,
        '    command: ["sh", "-c", "echo ${LONG_WITH_SPACES}", "${PEM_BLOCK}"]',
        '    environment:',
        '      DATABASE_URL: postgres://app:${PASSWORD_IN_URL}@db:5432/app',
        '      LOG_LEVEL: debug',
        environment,
        '',
      ].join('\n'),
    );

    // The values reach docker-compose through its process environment, which
    // it reads before any env file and passes on byte for byte. How amulet
    // writes env files is covered by env-file.test.ts.
    const values = Object.fromEntries([...HARD_VALUES, ['PASSWORD_IN_URL', PASSWORD_IN_URL] as const]);
    const result = await execa('docker-compose', ['-f', composeFile, 'config'], {
      cwd: workDir,
      env: childEnv(values),
      extendEnv: false,
      stdin: 'ignore',
    });
    rawOutput = result.stdout;
    maskedOutput = maskConfigOutput(rawOutput, ALL_SECRETS);
    // A mask that YAML reads as a plain scalar keeps the text-pass output
    // parseable once the tail is cut off again. The default mask starts with
    // `*`, which YAML reads as an alias when it replaces a whole plain scalar.
    const textPassWithTail = maskConfigOutput(rawOutput + UNPARSEABLE_TAIL, ALL_SECRETS, { mask: 'MASKED' });
    expect(textPassWithTail.endsWith(UNPARSEABLE_TAIL)).toBe(true);
    textPassOutput = textPassWithTail.slice(0, -UNPARSEABLE_TAIL.length);

    [rawDecoded, maskedDecoded, textPassDecoded] = (await loadWithPyYaml(
      [rawOutput, maskedOutput, textPassOutput],
      loadErrors,
    )) as ComposeConfig[];
  });

  it('produces output that PyYAML parses', () => {
    expect(loadErrors).toEqual([]);
  });

  afterAll(async () => {
    if (workDir !== undefined) await fs.rm(workDir, { recursive: true, force: true });
  });

  describe.each(HARD_VALUES)('%s', (name, value) => {
    it('is printed by compose', () => {
      // Guards the checks below: compose must really have printed the value.
      expect(rawDecoded.services.web.environment[name].replace(/\$\$/g, '$')).toBe(value);
    });

    it('is replaced by the mask', () => {
      expect(maskedDecoded.services.web.environment[name]).toBe(DEFAULT_MASK);
    });

    it('leaves no plain-text form', () => {
      expect(findLeaks(maskedOutput, value)).toEqual([]);
    });

    it('leaves no decoded form', () => {
      expect(findDecodedLeaks(maskedDecoded, value)).toEqual([]);
    });

    // Short values are masked only as whole scalars, which the text pass
    // cannot see, so they stay in this output.
    if (byteLength(value) >= 4) {
      it('is masked by the text pass alone', () => {
        expect(findLeaks(textPassOutput, value)).toEqual([]);
        expect(findDecodedLeaks(textPassDecoded, value)).toEqual([]);
        expect(textPassDecoded.services.web.environment[name]).toContain('MASKED');
      });
    }
  });

  it('masks a secret inside a longer value', () => {
    expect(maskedDecoded.services.web.environment.DATABASE_URL).toBe(`postgres://app:${DEFAULT_MASK}@db:5432/app`);
  });

  it('masks secrets in the command', () => {
    expect(maskedDecoded.services.web.command).toEqual(['sh', '-c', `echo ${DEFAULT_MASK}`, DEFAULT_MASK]);
  });

  it('leaves unrelated text untouched', () => {
    expect(Object.keys(maskedDecoded.services)).toEqual(['web']);
    expect(maskedDecoded.services.web.image).toBe(IMAGE);
    expect(maskedDecoded.services.web.environment.LOG_LEVEL).toBe('debug');
    expect(Object.keys(maskedDecoded.services.web.environment).sort()).toEqual(
      Object.keys(rawDecoded.services.web.environment).sort(),
    );
  });

  it('changes only the lines that held secrets', () => {
    const rawLines = new Set(rawOutput.split('\n'));
    const changedLines = maskedOutput.split('\n').filter((line) => !rawLines.has(line));
    for (const line of changedLines) {
      expect(line).toContain(DEFAULT_MASK);
    }
    expect(maskedOutput).toContain(`    image: ${IMAGE}\n`);
  });
});

// --- Specs: every PyYAML emitter style ---------------------------------------

// Dumps {'environment': {'SECRET': value}} for each value in the scalar
// styles and options that PyYAML offers. docker-compose v1 calls
// yaml.safe_dump(..., default_flow_style=False, allow_unicode=True) with the
// default width of 80; the other styles stand in for other emitters.
const PYYAML_STYLES = {
  'compose v1 options': "dict(default_flow_style=False, allow_unicode=True)",
  'ASCII only': "dict(default_flow_style=False, allow_unicode=False)",
  'double-quoted': "dict(default_flow_style=False, allow_unicode=True, default_style='\"')",
  'double-quoted, ASCII only': "dict(default_flow_style=False, allow_unicode=False, default_style='\"')",
  'single-quoted': "dict(default_flow_style=False, allow_unicode=True, default_style=\"'\")",
  'literal block': "dict(default_flow_style=False, allow_unicode=True, default_style='|')",
  'folded block': "dict(default_flow_style=False, allow_unicode=True, default_style='>')",
  'narrow width': "dict(default_flow_style=False, allow_unicode=True, width=20)",
} as const;

type PyYamlStyle = keyof typeof PYYAML_STYLES;

const PYYAML_DUMP = `
import json, sys, yaml
styles = {${Object.entries(PYYAML_STYLES)
  .map(([style, options]) => `${JSON.stringify(style)}: ${options}`)
  .join(', ')}}
values = json.load(sys.stdin)
json.dump({style: [yaml.safe_dump({'environment': {'SECRET': v}}, **options) for v in values]
           for style, options in styles.items()}, sys.stdout)
`;

describeWithTool('maskConfigOutput on every PyYAML scalar style', 'PyYAML (python3-yaml)', HAVE_PYYAML, () => {
  // Whole-scalar masking of short values is covered with real compose output above.
  const longValues = HARD_VALUES.filter(([, value]) => byteLength(value) >= 4);
  const values = longValues.map(([, value]) => value);
  const cases: Array<[style: PyYamlStyle, name: string, index: number]> = [];
  for (const style of Object.keys(PYYAML_STYLES) as PyYamlStyle[]) {
    longValues.forEach(([name], index) => cases.push([style, name, index]));
  }

  let dumps: Record<PyYamlStyle, string[]>;
  let maskedDecoded: Record<PyYamlStyle, unknown[]>;
  let textPassDecoded: Record<PyYamlStyle, unknown[]>;
  const loadErrors: string[] = [];

  beforeAll(async () => {
    const result = await execa('python3', ['-c', PYYAML_DUMP], {
      input: JSON.stringify(values),
      env: childEnv(),
      extendEnv: false,
    });
    dumps = JSON.parse(result.stdout) as Record<PyYamlStyle, string[]>;

    const secrets = values.map((value) => Buffer.from(value, 'utf8'));
    const styles = Object.keys(PYYAML_STYLES) as PyYamlStyle[];
    const masked: string[] = [];
    const textPass: string[] = [];
    for (const style of styles) {
      for (const dump of dumps[style]) {
        masked.push(maskConfigOutput(dump, secrets));
        const withTail = maskConfigOutput(dump + UNPARSEABLE_TAIL, secrets, { mask: 'MASKED' });
        textPass.push(withTail.slice(0, -UNPARSEABLE_TAIL.length));
      }
    }

    const decoded = await loadWithPyYaml([...masked, ...textPass], loadErrors);
    maskedDecoded = {} as Record<PyYamlStyle, unknown[]>;
    textPassDecoded = {} as Record<PyYamlStyle, unknown[]>;
    styles.forEach((style, styleIndex) => {
      const start = styleIndex * values.length;
      maskedDecoded[style] = decoded.slice(start, start + values.length);
      textPassDecoded[style] = decoded.slice(masked.length + start, masked.length + start + values.length);
    });
  });

  it('produces output that PyYAML parses', () => {
    expect(loadErrors).toEqual([]);
  });

  it.each(cases)('%s, %s: masked', (style, _name, index) => {
    expect(findDecodedLeaks(maskedDecoded[style][index], values[index])).toEqual([]);
    expect(maskedDecoded[style][index]).toEqual({ environment: { SECRET: DEFAULT_MASK } });
  });

  it.each(cases)('%s, %s: masked by the text pass alone', (style, _name, index) => {
    expect(findDecodedLeaks(textPassDecoded[style][index], values[index])).toEqual([]);
    expect(JSON.stringify(textPassDecoded[style][index])).toContain('MASKED');
  });
});

// --- Specs: Docker Compose v2 output, written by hand -------------------------

// Compose v2 is not installable here, so these samples are written by hand.
// The YAML sample uses go-yaml v3's forms: `|-` literal blocks for multi-line
// strings and double quotes for strings with control characters. Its 4-space
// indentation is go-yaml v3's default, and the masker does not depend on it.
// The JSON sample, for `--format json`, uses Go encoding/json's escapes,
// which include \u003c, \u003e and \u0026 for `<`, `>` and `&`. Both samples
// double every `$` as `$$`, as compose `config` does.
const V2_SECRETS = {
  pem: PEM_BLOCK.trimEnd(),
  dollars: 'pa$$w0rd$',
  html: 'x<y&z>w',
  quotes: `it's "both"`,
  tab: 'tab\there',
  nonAscii: 'pässwörd-密码-🔑',
  backslash: 'secret-ends-in\\',
  short: 'k3y',
};

const V2_YAML = `name: demo
services:
    web:
        command:
            - sh
            - -c
            - echo pa$$$$w0rd$$
        environment:
            BACKSLASH: secret-ends-in\\
            HTML: x<y&z>w
            NON_ASCII: pässwörd-密码-🔑
            PEM: |-
                -----BEGIN TEST PRIVATE KEY-----
                TUFTSy1URVNULUtFWS1NQURFLVVQLUZPUi1BTVVMRVQtMDEyMzQ1Njc4OQ==
                bm90LWEtcmVhbC1rZXktanVzdC1iYXNlNjQtdGV4dC1mb3ItdGVzdHM=
                -----END TEST PRIVATE KEY-----
            QUOTES: it's "both"
            SHORT: k3y
            TAB: "tab\\there"
        image: ${IMAGE}
        networks:
            default: null
networks:
    default:
        name: demo_default
`;

const V2_JSON = `{
  "name": "demo",
  "services": {
    "web": {
      "command": [
        "sh",
        "-c",
        "echo pa$$$$w0rd$$"
      ],
      "environment": {
        "BACKSLASH": "secret-ends-in\\\\",
        "HTML": "x\\u003cy\\u0026z\\u003ew",
        "NON_ASCII": "pässwörd-密码-🔑",
        "PEM": "-----BEGIN TEST PRIVATE KEY-----\\nTUFTSy1URVNULUtFWS1NQURFLVVQLUZPUi1BTVVMRVQtMDEyMzQ1Njc4OQ==\\nbm90LWEtcmVhbC1rZXktanVzdC1iYXNlNjQtdGV4dC1mb3ItdGVzdHM=\\n-----END TEST PRIVATE KEY-----",
        "QUOTES": "it's \\"both\\"",
        "SHORT": "k3y",
        "TAB": "tab\\there"
      },
      "image": "${IMAGE}",
      "networks": {
        "default": null
      }
    }
  },
  "networks": {
    "default": {
      "name": "demo_default"
    }
  }
}
`;

const V2_SECRET_BUFFERS = Object.values(V2_SECRETS).map((value) => Buffer.from(value, 'utf8'));

const V2_EXPECTED_ENVIRONMENT = {
  BACKSLASH: DEFAULT_MASK,
  HTML: DEFAULT_MASK,
  NON_ASCII: DEFAULT_MASK,
  PEM: DEFAULT_MASK,
  QUOTES: DEFAULT_MASK,
  SHORT: DEFAULT_MASK,
  TAB: DEFAULT_MASK,
};

describe('maskConfigOutput on Compose v2 output', () => {
  it('masks go-yaml output', () => {
    const masked = maskConfigOutput(V2_YAML, V2_SECRET_BUFFERS);
    const decoded = YAML.parse(masked) as ComposeConfig;

    expect(decoded.services.web.environment).toEqual(V2_EXPECTED_ENVIRONMENT);
    expect(decoded.services.web.command).toEqual(['sh', '-c', `echo ${DEFAULT_MASK}`]);
    expect(decoded.services.web.image).toBe(IMAGE);
    for (const value of Object.values(V2_SECRETS)) {
      expect(findLeaks(masked, value)).toEqual([]);
      expect(findDecodedLeaks(decoded, value)).toEqual([]);
    }
  });

  it('keeps go-yaml layout outside masked scalars', () => {
    const masked = maskConfigOutput(V2_YAML, V2_SECRET_BUFFERS);

    expect(masked).toContain('\n        networks:\n            default: null\n');
    expect(masked).toContain(`\n            PEM: "${DEFAULT_MASK}"\n            QUOTES: "${DEFAULT_MASK}"\n`);
  });

  it('masks --format json output', () => {
    const masked = maskConfigOutput(V2_JSON, V2_SECRET_BUFFERS);
    const decoded = JSON.parse(masked) as ComposeConfig;

    expect(decoded.services.web.environment).toEqual(V2_EXPECTED_ENVIRONMENT);
    expect(decoded.services.web.command).toEqual(['sh', '-c', `echo ${DEFAULT_MASK}`]);
    expect(decoded.services.web.image).toBe(IMAGE);
    for (const value of Object.values(V2_SECRETS)) {
      expect(findLeaks(masked, value)).toEqual([]);
      expect(findDecodedLeaks(decoded, value)).toEqual([]);
    }
  });

  it('masks --format json output by the text pass alone', () => {
    const masked = maskConfigOutput(V2_JSON + UNPARSEABLE_TAIL, V2_SECRET_BUFFERS);
    const decoded = JSON.parse(masked.slice(0, -UNPARSEABLE_TAIL.length)) as ComposeConfig;

    for (const value of Object.values(V2_SECRETS)) {
      if (byteLength(value) < 4) continue;
      expect(findDecodedLeaks(decoded, value)).toEqual([]);
    }
    expect(decoded.services.web.environment.HTML).toBe(DEFAULT_MASK);
    expect(decoded.services.web.environment.PEM).toBe(DEFAULT_MASK);
  });
});

// --- Specs: contract -----------------------------------------------------------

describe('maskConfigOutput', () => {
  const CONFIG = `services:\n  web:\n    image: ${IMAGE}\n    environment:\n      TOKEN: tok-made-up-0001\n`;

  it('returns output without secrets unchanged', () => {
    expect(maskConfigOutput(CONFIG, [Buffer.from('not-in-the-output')])).toBe(CONFIG);
    expect(maskConfigOutput(CONFIG, [])).toBe(CONFIG);
  });

  it('ignores empty secrets', () => {
    expect(maskConfigOutput(CONFIG, [Buffer.alloc(0)])).toBe(CONFIG);
  });

  it('uses the mask option literally', () => {
    const masked = maskConfigOutput(CONFIG, [Buffer.from('tok-made-up-0001')], { mask: '$&<hidden>' });
    expect(masked).toContain('TOKEN: "$&<hidden>"\n');
  });

  it('masks the longer of two overlapping secrets whole', () => {
    const output = 'TOKEN: prefix-tok-made-up-0001\n';
    const masked = maskConfigOutput(output, [Buffer.from('tok-made-up'), Buffer.from('prefix-tok-made-up-0001')]);
    expect(masked).toBe(`TOKEN: "${DEFAULT_MASK}"\n`);
  });

  it('masks keys that contain a secret', () => {
    const output = 'labels:\n  tok-made-up-0001: "1"\n';
    const masked = maskConfigOutput(output, [Buffer.from('tok-made-up-0001')]);
    expect(YAML.parse(masked)).toEqual({ labels: { [DEFAULT_MASK]: '1' } });
  });

  describe('short secrets', () => {
    const output = `services:\n  web:\n    image: ${IMAGE}\n    environment:\n      A: k3y\n      B: monk3ys\n      C: $$\n      D: pa$$$$\n`;

    it('masks a scalar that equals one', () => {
      const decoded = YAML.parse(maskConfigOutput(output, [Buffer.from('k3y'), Buffer.from('$')])) as ComposeConfig;
      expect(decoded.services.web.environment.A).toBe(DEFAULT_MASK);
      expect(decoded.services.web.environment.C).toBe(DEFAULT_MASK);
    });

    it('leaves longer text that contains one', () => {
      const decoded = YAML.parse(maskConfigOutput(output, [Buffer.from('k3y'), Buffer.from('$'), Buffer.from('1.3')])) as ComposeConfig;
      expect(decoded.services.web.environment.B).toBe('monk3ys');
      expect(decoded.services.web.environment.D).toBe('pa$$$$');
      expect(decoded.services.web.image).toBe(IMAGE);
    });

    it('masks only whole lines of text output', () => {
      // Shaped like `config --services` and `config --volumes`.
      const lines = 'web\nk3y\nk3y-data\n';
      expect(maskConfigOutput(lines, [Buffer.from('k3y')])).toBe(`web\n${DEFAULT_MASK}\nk3y-data\n`);
    });
  });

  describe('text output', () => {
    it('masks a secret inside a line', () => {
      const lines = 'web\ndata-tok-made-up-0001\n';
      expect(maskConfigOutput(lines, [Buffer.from('tok-made-up-0001')])).toBe(`web\ndata-${DEFAULT_MASK}\n`);
    });
  });

  describe('secrets that are not valid UTF-8', () => {
    const secret = Buffer.concat([Buffer.from('made-up-prefix'), Buffer.from([0xff, 0xfe]), Buffer.from('made-up-suffix')]);

    it('masks the decoded form with U+FFFD', () => {
      const output = `TOKEN: "made-up-prefix\\uFFFD\\uFFFDmade-up-suffix"\n`;
      expect(maskConfigOutput(output, [secret])).toBe(`TOKEN: "${DEFAULT_MASK}"\n`);
    });

    it('masks each valid UTF-8 run', () => {
      const output = 'A: made-up-prefix?\nB: ?made-up-suffix\n';
      expect(maskConfigOutput(output, [secret])).toBe(`A: "${DEFAULT_MASK}?"\nB: "?${DEFAULT_MASK}"\n`);
    });
  });

  describe('odd output', () => {
    const secret = Buffer.from('tok-made-up-0001');
    const oddOutputs: ReadonlyArray<readonly [string, string]> = [
      ['empty', ''],
      ['binary', '\0\uFFFD\x01tok-made-up-0001\x7f'],
      ['unknown alias', 'a: *missing\nb: tok-made-up-0001\n'],
      ['unclosed flow', '{"a": [tok-made-up-0001'],
      ['two documents', 'a: tok-made-up-0001\n---\nb: tok-made-up-0001\n'],
      ['deep nesting', '['.repeat(20_000) + 'tok-made-up-0001'],
      ['duplicate keys', 'a: tok-made-up-0001\na: tok-made-up-0001\n'],
    ];

    it.each(oddOutputs)('%s: masks without throwing', (_name, output) => {
      const masked = maskConfigOutput(output, [secret]);
      expect(masked).not.toContain('tok-made-up-0001');
    });

    it('masks a secret too long for a pattern', () => {
      const longSecret = 'made-up-'.repeat(50_000);
      const masked = maskConfigOutput(`"KEY": "${longSecret}"\n: [`, [Buffer.from(longSecret)]);
      expect(masked).toBe(`"KEY": "${DEFAULT_MASK}"\n: [`);
    });
  });
});
