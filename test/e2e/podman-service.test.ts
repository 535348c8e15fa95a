/**
 * Proves the end-to-end infrastructure: docker-compose 1.29 talks to Podman's
 * Docker-compatible API, runs a real container, and the container receives
 * the values from an env file byte for byte. Each service writes its variables
 * into files in a bind-mounted directory, because `docker-compose up` mixes its
 * own status lines ("Attaching to ...", "... exited with code 0") into stdout
 * with the container's output, even with --no-log-prefix.
 */
import { promises as fs } from 'fs';
import path from 'path';
import execa from 'execa';
import { dir, type DirectoryResult } from 'tmp-promise';
import {
  E2E_IMAGE,
  composeEnv,
  engineSkipReason,
  ensurePodmanService,
  requireOrSkip,
} from './engines';

const describeE2e = requireOrSkip(engineSkipReason(['podman', 'docker-compose']))
  ? describe
  : describe.skip;

// Made-up secret values that cover what an env file must carry without change.
const SECRETS: Record<string, string> = {
  AMULET_E2E_DOLLAR: 'pa$$w0rd$USER$',
  AMULET_E2E_SPACES: '  correct horse  battery staple ',
  AMULET_E2E_QUOTES: `it's a "quoted" \\ value`,
  AMULET_E2E_UTF8: 'pässwörd-🔑-ワード',
  AMULET_E2E_MULTILINE:
    '-----BEGIN TEST KEY-----\nTUFERS1VUC1OT1QtQS1LRVk=\n\tindented\n-----END TEST KEY-----\n',
  AMULET_E2E_HASH: 'abc #not-a-comment',
  AMULET_E2E_EMPTY: '',
};

const ALL_NAMES = Object.keys(SECRETS);

/**
 * Encodes one env-file line in the double-quoted form python-dotenv 0.21
 * parses: backslash, double quote, CR and LF are escaped, and everything else,
 * including `$`, single quotes and UTF-8, is written as is.
 */
function envFileLine(name: string, value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n');
  return `${name}="${escaped}"\n`;
}

/**
 * Returns a compose service that writes each variable in ALL_NAMES to
 * /out/<NAME>. `$$` in the command is compose's escape for a literal `$`, and
 * `printf %s` adds no newline.
 */
function probeService(outDir: string, variables: string): string {
  const script = ALL_NAMES.map((name) => `printf %s "$$${name}" > /out/${name}`).join(' && ');
  return [
    `    image: ${E2E_IMAGE}`,
    `    volumes: ["${outDir}:/out"]`,
    `    command: ["sh", "-c", ${JSON.stringify(script)}]`,
    variables,
  ].join('\n');
}

// Two ways of getting the env file's variables into a service.
const METHODS = {
  // `environment: [NAME=${NAME}]`, interpolated from `--env-file`.
  environment: ['    environment:', ...ALL_NAMES.map((name) => `      - ${name}=\${${name}}`)].join(
    '\n',
  ),
  // `env_file:` names the same file, and compose reads it for the service.
  env_file: '    env_file: ["./secrets.env"]',
} as const;
type Method = keyof typeof METHODS;
const SERVICE: Record<Method, string> = { environment: 'probe-environment', env_file: 'probe-env-file' };

describeE2e('docker-compose 1.29 on the Podman API service', () => {
  let dockerHost: string;
  let tmp: DirectoryResult;
  let envFile: string;
  let composeFile: string;
  const project = `amulet-e2e-${process.pid}`;

  function compose(args: string[]): execa.ExecaChildProcess {
    return execa('docker-compose', ['-p', project, '-f', composeFile, '--env-file', envFile, ...args], {
      cwd: tmp.path,
      env: composeEnv(dockerHost),
      extendEnv: false,
      stdin: 'ignore',
      all: true,
      reject: false,
    });
  }

  beforeAll(async () => {
    ({ dockerHost } = await ensurePodmanService());
    tmp = await dir({ prefix: 'amulet-e2e-', unsafeCleanup: true });
    envFile = path.join(tmp.path, 'secrets.env');
    composeFile = path.join(tmp.path, 'docker-compose.yml');

    const lines = Object.entries(SECRETS).map(([name, value]) => envFileLine(name, value));
    await fs.writeFile(envFile, lines.join(''), { encoding: 'utf8', mode: 0o600 });

    const services: string[] = [];
    for (const method of Object.keys(METHODS) as Method[]) {
      const outDir = `./out/${method}`;
      await fs.mkdir(path.join(tmp.path, outDir), { recursive: true });
      services.push(`  ${SERVICE[method]}:\n${probeService(outDir, METHODS[method])}`);
    }
    await fs.writeFile(composeFile, `version: "3.8"\nservices:\n${services.join('\n')}\n`);
  }, 11 * 60 * 1000);

  afterAll(async () => {
    if (tmp === undefined) return;
    const down = await compose(['down', '--remove-orphans', '--timeout', '1']);
    await tmp.cleanup();
    if (down.exitCode !== 0) {
      throw new Error(`docker-compose down failed:\n${down.all}`);
    }
  });

  describe.each(Object.keys(METHODS) as Method[])('variables set with %s', (method) => {
    const outputs = new Map<string, Buffer>();

    beforeAll(async () => {
      // One service per `up`, because --abort-on-container-exit (implied by
      // --exit-code-from) stops every other service when the first one exits.
      const service = SERVICE[method];
      const up = await compose(['up', '--exit-code-from', service, service]);
      if (up.exitCode !== 0) {
        throw new Error(`docker-compose up ${service} exited with ${up.exitCode}:\n${up.all}`);
      }
      for (const name of ALL_NAMES) {
        outputs.set(name, await fs.readFile(path.join(tmp.path, 'out', method, name)));
      }
    });

    it.each(Object.keys(SECRETS))('passes %s byte for byte', (name) => {
      expect(outputs.get(name)).toEqual(Buffer.from(SECRETS[name], 'utf8'));
    });
  });
});
