#!/usr/bin/env node
// Benchmarks of the amulet CLI, run with `npm run bench` (which builds dist/ first).
//
// Every measured command runs as its own process, the way a user or a script runs it, and the
// wall time is taken here around the whole process. Peak RSS comes from GNU time (`%M`, written
// with -o to a file so that it does not mix with the command's stderr). For a command that starts
// others, GNU time reports the largest single process among those it waited for, not a sum.
//
// Only made-up secrets and passphrases are used, and the passphrase goes through --passphrase-file.
// Everything is written under one temporary directory, which is removed at the end.
// This is not part of the test suite. It prints numbers, marks each target met or not met, and
// exits 0 unless a command fails.

'use strict';

const { spawnSync, execFileSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const AMULET_JS = path.join(ROOT, 'bin', 'amulet.js');
const NODE = process.execPath;
const GNU_TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

// Runs per row. The rows that take several seconds a run (20 keys through the shell recipe, 20
// separate salts) get fewer, to keep the whole bench near 3 minutes on 2 cores.
const RUNS_CHEAP = Number(process.env.BENCH_RUNS_CHEAP || 7);
const RUNS_SLOW = Number(process.env.BENCH_RUNS_SLOW || 5);
const RUNS_SLOWEST = Number(process.env.BENCH_RUNS_SLOWEST || 3);

const KDF_OPTIONS = { memoryCost: 65536, timeCost: 3, parallelism: 1, hashLength: 32, raw: true };
const PASSPHRASE = 'bench passphrase, made up for this run\n';
const KEY_COUNTS = [1, 5, 20];
const BIG_VAULT_ENTRIES = 10000;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'amulet-bench-'));
let cleaned = false;
function cleanUp() {
  if (!cleaned) {
    cleaned = true;
    fs.rmSync(work, { recursive: true, force: true });
  }
}
process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanUp();
    process.exit(128 + os.constants.signals[signal]);
  });
}

function progress(message) {
  process.stderr.write(`bench: ${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// Statistics and formatting

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function summary(times) {
  return { median: median(times), min: Math.min(...times), max: Math.max(...times), runs: times.length, times };
}

const ms = (value) => `${Math.round(value)} ms`;
const mib = (kib) => (kib === null ? 'n/a' : `${(kib / 1024).toFixed(0)} MiB`);
const ratio = (value) => `${value.toFixed(1)}x`;

function table(headers, rows, rightAligned) {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column].length)));
  const line = (cells) =>
    cells
      .map((cell, column) => (rightAligned.includes(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Running processes

function baseEnvironment(extra = {}) {
  const env = { ...process.env, ...extra };
  delete env.AMULET_COMPOSE_ENGINE;
  delete env.AMULET_DEBUG;
  return env;
}

/** Runs one command to completion and returns its wall time (ms), peak RSS (KiB or null) and output. */
function runOnce(command, args, options = {}) {
  const rssFile = path.join(work, 'rss.txt');
  const [file, fileArgs] = GNU_TIME === null ? [command, args] : [GNU_TIME, ['-f', '%M', '-o', rssFile, command, ...args]];
  const start = process.hrtime.bigint();
  const result = spawnSync(file, fileArgs, {
    cwd: options.cwd ?? work,
    env: options.env ?? baseEnvironment(),
    input: options.input ?? '',
    maxBuffer: 64 * 1024 * 1024,
  });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.error !== undefined || result.status !== 0) {
    throw new Error(
      `command failed (status ${result.status}): ${[command, ...args].join(' ')}\n${result.stderr?.toString() ?? result.error}`,
    );
  }
  let rss = null;
  if (GNU_TIME !== null) {
    const lines = fs.readFileSync(rssFile, 'utf8').trim().split('\n');
    rss = Number(lines[lines.length - 1]);
  }
  return { elapsed, rss, stdout: result.stdout, stderr: result.stderr };
}

/** Returns a measured item that runs as its own process. `before` runs ahead of each run, untimed. */
function processItem(label, command, args, options = {}) {
  return { label, run: async () => {
    options.before?.();
    return runOnce(command, args, options);
  } };
}

/** Returns a measured item that runs inside the bench process, so it has no RSS of its own. */
function inProcessItem(label, fn) {
  return { label, run: async () => {
    const start = process.hrtime.bigint();
    await fn();
    return { elapsed: Number(process.hrtime.bigint() - start) / 1e6, rss: null, stdout: Buffer.alloc(0) };
  } };
}

/**
 * Runs every item of a group `runs` times, round-robin (A B C A B C ...), so that the items that
 * are compared with each other see the same machine load. Returns one summary per item.
 */
async function measureGroup(runs, items) {
  progress(`${items.map((item) => item.label).join(' | ')} (${runs} run${runs === 1 ? '' : 's'} each, interleaved)`);
  const samples = items.map(() => ({ times: [], rss: [], stdout: null }));
  for (let run = 0; run < runs; run += 1) {
    for (const [index, item] of items.entries()) {
      const result = await item.run();
      samples[index].times.push(result.elapsed);
      samples[index].rss.push(result.rss);
      samples[index].stdout = result.stdout;
    }
  }
  return samples.map((sample) => ({
    ...summary(sample.times),
    rss: sample.rss.includes(null) ? null : Math.max(...sample.rss),
    stdout: sample.stdout,
  }));
}

const amulet = (...args) => [NODE, ['--', AMULET_JS, ...args]];

// ---------------------------------------------------------------------------------------------
// Fixtures

function writePrivate(file, data) {
  fs.writeFileSync(file, data, { mode: 0o600 });
}

function keyName(index) {
  return `BENCH_KEY_${String(index + 1).padStart(2, '0')}`;
}

/** Returns a made-up alphanumeric value, so that the shell recipe's naive env file stays valid. */
function madeUpValue(index) {
  return `made${index + 1}up${randomBytes(12).toString('hex')}`;
}

function composeFile(count) {
  const lines = ['services:', '  app:', '    image: busybox', '    environment:'];
  for (let index = 0; index < count; index += 1) {
    lines.push(`      ${keyName(index)}: \${${keyName(index)}}`);
  }
  const file = path.join(work, `compose-${count}.yml`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Builds a vault whose entries share one salt, as `amulet seal` does under one passphrase. */
async function buildSharedSaltVault(library, file, names, values, passphrase) {
  const vault = await library.Vault.open(file);
  const keyRing = new library.KeyRing(passphrase, null);
  try {
    const sealKey = await vault.sealKey('portable', keyRing);
    await vault.store(new Map(names.map((name, index) => [name, Buffer.from(values[index])])), sealKey);
  } finally {
    await keyRing.dispose();
  }
}

/** Builds a vault of separately sealed entries: each is sealed into its own vault, then the files are concatenated. */
async function buildSeparateSaltVault(library, file, names, values, passphrase) {
  const parts = await Promise.all(
    names.map(async (name, index) => {
      const single = path.join(work, `single-${name}.vault`);
      await buildSharedSaltVault(library, single, [name], [values[index]], passphrase);
      const data = fs.readFileSync(single);
      fs.rmSync(single);
      return data;
    }),
  );
  writePrivate(file, Buffer.concat(parts));
}

function saltsOf(library, file) {
  const entries = library.parseVault(fs.readFileSync(file));
  return new Set(entries.map((entry) => library.decodeBlob(entry.blob).salt.toString('hex'))).size;
}

/** Writes the first `count` entries of a vault to a new file. */
function sliceVault(library, from, to, count) {
  const entries = library.parseVault(fs.readFileSync(from)).slice(0, count);
  writePrivate(to, library.serializeVault(entries));
}

const RECIPE = `#!/usr/bin/env bash
# The shell recipe that "amulet compose" replaces: one "amulet unseal" process per key.
# Usage: recipe.sh VAULT PASSPHRASE_FILE COMPOSE_FILE KEY...   (AMULET_JS: path of bin/amulet.js)
set -euo pipefail
vault=$1; passphrase_file=$2; compose_file=$3; shift 3
f=$(mktemp); chmod 600 "$f"
trap 'rm -f "$f"' EXIT
for k in "$@"; do
  printf '%s=' "$k" >> "$f"
  node -- "$AMULET_JS" unseal "$k" --vault "$vault" --passphrase-file "$passphrase_file" >> "$f"
  printf '\\n' >> "$f"
done
docker-compose --env-file "$f" -f "$compose_file" config
rm -f "$f"
`;

const FAKE_DOCKER_COMPOSE = `#!/bin/sh
# A no-op compose engine: answers the version probe like docker-compose v1 and does nothing else.
if [ "$1" = "--version" ]; then
  echo "docker-compose version 1.29.2, build fake"
fi
exit 0
`;

// ---------------------------------------------------------------------------------------------

async function main() {
  const library = require(path.join(ROOT, 'dist', 'vault'));
  const argon2 = require(path.join(ROOT, 'node_modules', 'argon2'));
  const startedAt = new Date();
  const benchStart = process.hrtime.bigint();

  const dockerCompose = fs.existsSync('/usr/bin/docker-compose') ? '/usr/bin/docker-compose' : null;
  if (dockerCompose === null) {
    throw new Error('docker-compose (v1) not found at /usr/bin/docker-compose. Install Debian\'s docker-compose package, which the compose rows need.');
  }
  // Also warms the page cache for Python and docker-compose before anything is timed.
  const composeVersion = execFileSync(dockerCompose, ['version', '--short'], { encoding: 'utf8' }).trim();

  // Fixtures ----------------------------------------------------------------------------------
  progress(`building fixtures in ${work}`);
  const passphraseFile = path.join(work, 'passphrase.txt');
  writePrivate(passphraseFile, PASSPHRASE);
  const passphrase = Buffer.from(PASSPHRASE.trimEnd());

  const maxKeys = Math.max(...KEY_COUNTS);
  const names = Array.from({ length: maxKeys }, (_, index) => keyName(index));
  const values = names.map((_, index) => madeUpValue(index));
  const shared = {};
  const separate = {};
  shared[maxKeys] = path.join(work, `shared-${maxKeys}.vault`);
  separate[maxKeys] = path.join(work, `separate-${maxKeys}.vault`);
  await buildSharedSaltVault(library, shared[maxKeys], names, values, passphrase);
  await buildSeparateSaltVault(library, separate[maxKeys], names, values, passphrase);
  for (const count of KEY_COUNTS.filter((count) => count !== maxKeys)) {
    shared[count] = path.join(work, `shared-${count}.vault`);
    separate[count] = path.join(work, `separate-${count}.vault`);
    sliceVault(library, shared[maxKeys], shared[count], count);
    sliceVault(library, separate[maxKeys], separate[count], count);
  }
  const sharedSalts = saltsOf(library, shared[maxKeys]);
  const separateSalts = saltsOf(library, separate[maxKeys]);
  if (sharedSalts !== 1 || separateSalts !== maxKeys) {
    throw new Error(`fixture vaults have ${sharedSalts} and ${separateSalts} salts, expected 1 and ${maxKeys}`);
  }
  const composeFiles = Object.fromEntries(KEY_COUNTS.map((count) => [count, composeFile(count)]));

  const recipe = path.join(work, 'recipe.sh');
  fs.writeFileSync(recipe, RECIPE, { mode: 0o700 });
  const fakeBin = path.join(work, 'fake-bin');
  fs.mkdirSync(fakeBin);
  fs.writeFileSync(path.join(fakeBin, 'docker-compose'), FAKE_DOCKER_COMPOSE, { mode: 0o755 });
  const fakeEnvironment = baseEnvironment({ PATH: `${fakeBin}${path.delimiter}${process.env.PATH ?? ''}` });

  // A vault of 10,000 entries: one blob sealed with the library, stored under 10,000 names.
  const bigSource = path.join(work, 'big-source.vault');
  await buildSharedSaltVault(library, bigSource, ['BENCH_ONE'], ['made up value'], passphrase);
  const blob = library.parseVault(fs.readFileSync(bigSource))[0].blob;
  const bigEntries = Array.from({ length: BIG_VAULT_ENTRIES }, (_, index) => ({
    name: `BENCH_ENTRY_${String(index).padStart(5, '0')}`,
    blob,
  }));
  const bigPristine = path.join(work, 'big-pristine.vault');
  const bigVault = path.join(work, 'big.vault');
  writePrivate(bigPristine, library.serializeVault(bigEntries));
  fs.copyFileSync(bigPristine, bigVault);
  const middleEntry = bigEntries[BIG_VAULT_ENTRIES / 2].name;
  const restoreBigVault = () => fs.copyFileSync(bigPristine, bigVault);

  // Warm-up, untimed: node, amulet's modules and the argon2 addon.
  runOnce(...amulet('version'));
  runOnce(...amulet('unseal', names[0], '--vault', shared[1], '--passphrase-file', passphraseFile));

  // Sanity checks, untimed. amulet compose must report one KDF run for the shared-salt vault and
  // one per key for the separate-salt vault, and its unmasked config output must equal the recipe's.
  const derivations = {};
  const revealed = {};
  for (const [kind, vaults] of [['shared', shared], ['separate', separate]]) {
    const check = runOnce(
      ...amulet('compose', '--vault', vaults[maxKeys], '--passphrase-file', passphraseFile, '--engine', 'docker-compose',
        '--verbose', '--reveal', '-f', composeFiles[maxKeys], 'config'),
    );
    const match = /with (\d+) key derivation/.exec(check.stderr.toString());
    derivations[kind] = match === null ? '?' : match[1];
    const expected = kind === 'shared' ? '1' : String(maxKeys);
    if (derivations[kind] !== expected) {
      throw new Error(`amulet compose reported ${derivations[kind]} key derivations for the ${kind}-salt vault, expected ${expected}`);
    }
    revealed[kind] = check.stdout.toString();
  }

  const kdfOnce = () => argon2.hash(passphrase, { ...KDF_OPTIONS, type: argon2.argon2id, salt: randomBytes(16) });
  await kdfOnce();
  const kdfItem = inProcessItem('Argon2id in this process', kdfOnce);

  // NODE_EXTRA_CA_CERTS slows down node start-up (by about 40 ms on the machine described in
  // docs/benchmarks.md), even for a process that opens no TLS connection. Where the environment
  // sets it, some rows are measured again without it.
  const extraCa = process.env.NODE_EXTRA_CA_CERTS;
  const hasExtraCa = extraCa !== undefined && extraCa !== '';
  const noCaEnv = baseEnvironment();
  delete noCaEnv.NODE_EXTRA_CA_CERTS;
  const noCaFakeEnv = { ...fakeEnvironment };
  delete noCaFakeEnv.NODE_EXTRA_CA_CERTS;

  // 1 and 4: unseal against one bare KDF run, and start-up -------------------------------------
  const unsealArgs = amulet('unseal', names[0], '--vault', shared[1], '--passphrase-file', passphraseFile);
  const startupItems = [
    kdfItem,
    // Two runs at once show what the second core adds: amulet unseals distinct salts in
    // parallel, up to one run per core.
    inProcessItem('two Argon2id runs at once', () => Promise.all([kdfOnce(), kdfOnce()])),
    processItem('amulet unseal', ...unsealArgs),
    processItem('node + argon2 + one KDF run', NODE, [
      '-e',
      "const a=require(process.argv[1]);a.hash(Buffer.from('made up'),{type:a.argon2id,memoryCost:65536,timeCost:3,parallelism:1,hashLength:32,raw:true,salt:require('node:crypto').randomBytes(16)})",
      path.join(ROOT, 'node_modules', 'argon2'),
    ]),
    processItem('node -e 0', NODE, ['-e', '0']),
    processItem('amulet version', ...amulet('version')),
    // Start-up cost of the modules that amulet compose loads before it derives a key.
    processItem('node + compose modules', NODE, ['-e', 'require(process.argv[1])', path.join(ROOT, 'dist', 'cli', 'commands', 'compose-action.js')]),
    processItem('node + yaml', NODE, ['-e', 'require(process.argv[1])', path.join(ROOT, 'node_modules', 'yaml')]),
  ];
  if (hasExtraCa) {
    startupItems.push(
      processItem('amulet unseal (CA unset)', ...unsealArgs, { env: noCaEnv }),
      processItem('node -e 0 (CA unset)', NODE, ['-e', '0'], { env: noCaEnv }),
      processItem('amulet version (CA unset)', ...amulet('version'), { env: noCaEnv }),
    );
  }
  const [kdf, kdfPair, unseal, nodeKdf, nodeBare, version, nodeCompose, nodeYaml, unsealNoCa, nodeBareNoCa, versionNoCa] = await measureGroup(
    RUNS_CHEAP,
    startupItems,
  );

  // 2. compose config through docker-compose, against the shell recipe -----------------------
  const envFile = path.join(work, 'plain.env');
  writePrivate(envFile, names.map((name, index) => `${name}=${values[index]}\n`).join(''));
  const [composeAlone] = await measureGroup(RUNS_SLOW, [
    processItem(`docker-compose config alone, ${maxKeys} keys`, dockerCompose, ['--env-file', envFile, '-f', composeFiles[maxKeys], 'config']),
  ]);

  const compose = { shared: {}, separate: {} };
  const shell = { shared: {}, separate: {} };
  for (const [kind, vaults] of [['shared', shared], ['separate', separate]]) {
    for (const count of KEY_COUNTS) {
      [compose[kind][count], shell[kind][count]] = await measureGroup(count === maxKeys ? RUNS_SLOWEST : RUNS_SLOW, [
        processItem(
          `amulet compose, ${count} keys, ${kind} salt`,
          ...amulet('compose', '--vault', vaults[count], '--passphrase-file', passphraseFile, '--engine', 'docker-compose',
            '-f', composeFiles[count], 'config'),
        ),
        processItem(`shell recipe, ${count} keys, ${kind} salt`, recipe, [vaults[count], passphraseFile, composeFiles[count], ...names.slice(0, count)], {
          env: baseEnvironment({ AMULET_JS }),
        }),
      ]);
    }
    if (shell[kind][maxKeys].stdout.toString() !== revealed[kind]) {
      throw new Error(`amulet compose --reveal and the shell recipe print different config (${kind} salt)`);
    }
  }

  // 3. amulet's own share, with a no-op engine ------------------------------------------------
  const noopArgs = (vault) =>
    amulet('compose', '--vault', vault, '--passphrase-file', passphraseFile, '--engine', 'docker-compose', '-f', composeFiles[maxKeys], 'config');
  const noopItems = [kdfItem, processItem(`no-op engine, ${maxKeys} keys, shared salt`, ...noopArgs(shared[maxKeys]), { env: fakeEnvironment })];
  if (hasExtraCa) {
    noopItems.push(processItem('no-op engine (CA unset)', ...noopArgs(shared[maxKeys]), { env: noCaFakeEnv }));
  }
  const [noopKdf, noopShared, noopSharedNoCa] = await measureGroup(RUNS_SLOW, noopItems);
  const [noopSeparate] = await measureGroup(RUNS_SLOWEST, [
    processItem(`no-op engine, ${maxKeys} keys, separate salts`, ...noopArgs(separate[maxKeys]), { env: fakeEnvironment }),
  ]);

  // 5. list, delete and rename on 10,000 entries ----------------------------------------------
  const [list, remove, rename] = await measureGroup(RUNS_CHEAP, [
    processItem('amulet list', ...amulet('list', '--vault', bigVault)),
    processItem('amulet delete', ...amulet('delete', middleEntry, '--vault', bigVault), { before: restoreBigVault }),
    processItem('amulet rename', ...amulet('rename', middleEntry, 'BENCH_RENAMED', '--vault', bigVault), { before: restoreBigVault }),
  ]);
  const listed = list.stdout.toString().split('\n').filter((line) => line !== '').length;
  if (listed !== BIG_VAULT_ENTRIES) {
    throw new Error(`amulet list printed ${listed} names, expected ${BIG_VAULT_ENTRIES}`);
  }

  // Targets -----------------------------------------------------------------------------------
  const met = (ok) => (ok ? 'met' : 'NOT MET');
  // T1 and T3 take the median of per-round differences (each process run minus the KDF run of
  // the same round), which cancels most of the drift in CPU speed between rounds.
  const pairedOverhead = (process, reference) => median(process.times.map((time, index) => time - reference.times[index]));
  const unsealOverKdf = pairedOverhead(unseal, kdf);
  const speedupShared = shell.shared[maxKeys].median / compose.shared[maxKeys].median;
  const speedupSeparate = shell.separate[maxKeys].median / compose.separate[maxKeys].median;
  const noopOverKdf = pairedOverhead(noopShared, noopKdf);
  const versionRatio = version.median / nodeBare.median;
  const targets = {
    unseal: `T1 ${met(unsealOverKdf <= 100)}`,
    shared: `T2a ${met(speedupShared >= 6)}`,
    separate: `T2b ${met(speedupSeparate >= 2)}`,
    noop: `T3 ${met(noopOverKdf <= 120)}`,
    version: `T4 ${met(versionRatio < 2)}`,
    list: `T5 ${met(list.median < 300)}`,
  };

  const rows = [];
  const row = (label, result, target = '') => {
    rows.push([label, String(result.runs), ms(result.median), ms(result.min), ms(result.max), mib(result.rss), target]);
  };
  const keys = (count) => (count === 1 ? '1 key' : `${count} keys`);
  row('Argon2id, one run in the bench process', kdf);
  row('Argon2id, two runs at once in the bench process', kdfPair);
  row('amulet unseal, 1 key', unseal, targets.unseal);
  row('node + argon2 addon + one Argon2id run', nodeKdf);
  row('node -e 0', nodeBare);
  row('amulet version', version, targets.version);
  row('node + require dist/cli/commands/compose-action', nodeCompose);
  row('node + require yaml', nodeYaml);
  if (hasExtraCa) {
    row('amulet unseal, 1 key (CA unset)', unsealNoCa);
    row('node -e 0 (CA unset)', nodeBareNoCa);
    row('amulet version (CA unset)', versionNoCa);
  }
  row(`docker-compose config alone, ${keys(maxKeys)}`, composeAlone);
  for (const [kind, title] of [['shared', 'one passphrase'], ['separate', 'separate salts']]) {
    for (const count of KEY_COUNTS) {
      const target = count === maxKeys ? targets[kind] : '';
      row(`amulet compose config, ${keys(count)}, ${title}`, compose[kind][count], target);
      row(`shell recipe, ${keys(count)}, ${title}`, shell[kind][count]);
    }
  }
  row('Argon2id, one run in the bench process (no-op group)', noopKdf);
  row(`no-op engine, ${keys(maxKeys)}, one passphrase`, noopShared, targets.noop);
  if (hasExtraCa) {
    row(`no-op engine, ${keys(maxKeys)}, one passphrase (CA unset)`, noopSharedNoCa);
  }
  row(`no-op engine, ${keys(maxKeys)}, separate salts`, noopSeparate);
  row(`amulet list, ${BIG_VAULT_ENTRIES} entries`, list, targets.list);
  row(`amulet delete, ${BIG_VAULT_ENTRIES} entries`, remove);
  row(`amulet rename, ${BIG_VAULT_ENTRIES} entries`, rename);

  const speedups = KEY_COUNTS.map((count) => [
    String(count),
    ratio(shell.shared[count].median / compose.shared[count].median),
    ratio(shell.separate[count].median / compose.separate[count].median),
  ]);

  const targetRows = [
    ['T1', 'unseal <= KDF + 100 ms', `unseal - KDF = ${ms(unsealOverKdf)}`, met(unsealOverKdf <= 100)],
    ['T2a', `${keys(maxKeys)}, one passphrase: >= 6x the recipe`, ratio(speedupShared), met(speedupShared >= 6)],
    ['T2b', `${keys(maxKeys)}, separate salts: >= 2x the recipe`, ratio(speedupSeparate), met(speedupSeparate >= 2)],
    ['T3', `no-op engine, ${keys(maxKeys)}, one passphrase: <= KDF + 120 ms`, `no-op - KDF = ${ms(noopOverKdf)}`, met(noopOverKdf <= 120)],
    ['T4', 'amulet version < 2x node -e 0', ratio(versionRatio), met(versionRatio < 2)],
    ['T5', `list of ${BIG_VAULT_ENTRIES} entries < 300 ms`, ms(list.median), met(list.median < 300)],
  ];
  if (hasExtraCa) {
    const t1 = pairedOverhead(unsealNoCa, kdf);
    const t3 = pairedOverhead(noopSharedNoCa, noopKdf);
    const t4 = versionNoCa.median / nodeBareNoCa.median;
    targetRows.push(
      ['T1*', 'T1 with NODE_EXTRA_CA_CERTS unset', `unseal - KDF = ${ms(t1)}`, met(t1 <= 100)],
      ['T3*', 'T3 with NODE_EXTRA_CA_CERTS unset', `no-op - KDF = ${ms(t3)}`, met(t3 <= 120)],
      ['T4*', 'T4 with NODE_EXTRA_CA_CERTS unset', ratio(t4), met(t4 < 2)],
    );
  }
  const parallelGain = (2 * kdf.median) / kdfPair.median;

  const cpus = os.cpus();
  const lines = [
    'amulet benchmarks',
    '',
    `date:            ${startedAt.toISOString()}`,
    `cores:           ${os.availableParallelism()} (os.availableParallelism)`,
    `cpu:             ${cpus.length > 0 ? cpus[0].model.trim() : 'unknown'}`,
    `memory:          ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `node:            ${process.version}`,
    `docker-compose:  ${composeVersion} (${dockerCompose})`,
    `peak RSS:        ${GNU_TIME === null ? 'n/a (/usr/bin/time not found)' : "GNU time %M, largest run; for a process tree, its largest single process"}`,
    `environment:     NODE_EXTRA_CA_CERTS ${hasExtraCa ? `is set (${extraCa}); rows marked "(CA unset)" and targets marked "*" run without it` : 'is not set'}`,
    `parallel KDF:    two Argon2id runs at once give ${ratio(parallelGain)} the throughput of one run`,
    `KDF runs:        amulet compose --verbose reports ${derivations.shared} derivation(s) for the one-passphrase vault and ${derivations.separate} for the separate-salt vault of ${maxKeys} keys`,
    '',
    'Rows of one group ran interleaved, round-robin. T1 and T3 are the median of per-round differences',
    'between the process and the KDF row of its group.',
    '',
    table(['measurement', 'runs', 'median', 'min', 'max', 'peak RSS', 'target'], rows, [1, 2, 3, 4, 5]),
    '',
    'Speedup of amulet compose over the shell recipe (ratio of medians):',
    '',
    table(['keys', 'one passphrase', 'separate salts'], speedups, [0, 1, 2]),
    '',
    'Targets:',
    '',
    table(['', 'target', 'measured', 'result'], targetRows, []),
    '',
    `total bench time: ${(Number(process.hrtime.bigint() - benchStart) / 1e9).toFixed(0)} s`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().then(
  () => cleanUp(),
  (error) => {
    cleanUp();
    process.stderr.write(`bench: error: ${error.stack ?? error}\n`);
    process.exitCode = 1;
  },
);
