import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reads the version from package.json, two levels above the compiled file (dist/cli). */
export function readPackageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}
