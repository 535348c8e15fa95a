// The env files the user's compose command would have read, copied into amulet's env file.

import { promises as fs } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AmuletError } from '../vault/errors';
import type { EnvFileDialect } from './env-file';

export interface UserEnvFile {
  path: string;
  data: Buffer;
}

/**
 * Reads the env files the user's compose command would have loaded: every global `--env-file`
 * (relative to the working directory), or else `.env` in the project directory (the
 * `--project-directory`, else the directory of the first `-f` file, else the working directory).
 * Passing `--env-file` turns off compose's own `.env` loading, so amulet copies them into its file.
 */
export async function readUserEnvFiles(
  envFiles: readonly string[],
  composeFiles: readonly string[],
  projectDirectory: string | undefined,
  cwd: string,
): Promise<UserEnvFile[]> {
  if (envFiles.length > 0) {
    const result: UserEnvFile[] = [];
    for (const file of envFiles) {
      const path = resolve(cwd, file);
      try {
        result.push({ path, data: await fs.readFile(path) });
      } catch (error) {
        throw new AmuletError('EENVFILE', `cannot read env file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, {
          hint: 'check the path given with --env-file',
        });
      }
    }
    return result;
  }

  let directory = cwd;
  if (projectDirectory !== undefined) {
    directory = resolve(cwd, projectDirectory);
  } else if (composeFiles.length > 0 && composeFiles[0] !== '-') {
    directory = dirname(resolve(cwd, composeFiles[0]));
  }
  const path = resolve(directory, '.env');
  try {
    const stats = await fs.stat(path);
    return stats.isFile() ? [{ path, data: await fs.readFile(path) }] : [];
  } catch {
    return [];
  }
}

const ASSIGNMENT = /^\s*(?:export\s+)?[^\s=#]+\s*=\s*/;

/**
 * Returns the 1-based line where a quoted value starts that the file never closes, or null.
 * Such a value would run on into the lines amulet appends and swallow them (python-dotenv
 * searches for the closing quote across lines). A backslash escapes the quote character; in the
 * python-dotenv dialect `\\"` also counts as an escaped quote, as its quoting regex reads it.
 */
export function findUnterminatedQuote(data: Buffer, dialect: EnvFileDialect): number | null {
  const text = data.toString('utf8');
  let position = 0;
  let line = 1;

  while (position < text.length) {
    const lineEnd = text.indexOf('\n', position);
    const end = lineEnd < 0 ? text.length : lineEnd;
    const assignment = ASSIGNMENT.exec(text.slice(position, end));
    const quote = assignment === null ? undefined : text[position + assignment[0].length];

    if (assignment === null || (quote !== '"' && quote !== "'")) {
      position = end + 1;
      line += 1;
      continue;
    }

    const startLine = line;
    let index = position + assignment[0].length + 1;
    let closed = false;
    while (index < text.length) {
      const character = text[index];
      if (character === '\\') {
        const escapesNext = dialect === 'python-dotenv' ? text[index + 1] === quote : true;
        if (escapesNext) {
          index += 2;
          continue;
        }
      } else if (character === quote) {
        closed = true;
        break;
      } else if (character === '\n') {
        line += 1;
      }
      index += 1;
    }
    if (!closed) {
      return startLine;
    }

    const afterQuote = text.indexOf('\n', index);
    position = afterQuote < 0 ? text.length : afterQuote + 1;
    line += 1;
  }
  return null;
}

/** Checks each user env file for a value that would swallow amulet's lines. */
export function checkUserEnvFiles(files: readonly UserEnvFile[], dialect: EnvFileDialect): void {
  for (const file of files) {
    const line = findUnterminatedQuote(file.data, dialect);
    if (line !== null) {
      throw new AmuletError('EENVFILE', `env file ${file.path} has a quoted value at line ${line} that is never closed`, {
        hint: 'close the quote; otherwise compose would read the lines after it as part of that value',
      });
    }
  }
}

/** Concatenates the user's env files and amulet's lines; later lines win on a name clash. */
export function joinEnvFile(userFiles: readonly UserEnvFile[], secrets: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (const file of userFiles) {
    parts.push(file.data);
    if (file.data.length > 0 && file.data[file.data.length - 1] !== 0x0a) {
      parts.push(Buffer.from('\n'));
    }
  }
  parts.push(secrets);
  return Buffer.concat(parts);
}
