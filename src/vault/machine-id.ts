// Machine id sources of each OS, and parsers for the files and command output that contain it.
// Running commands is left to the caller (src/system/machine-id.ts), so this module does no
// process work.

import { readFile } from 'node:fs/promises';

export const LINUX_MACHINE_ID_FILES = ['/etc/machine-id', '/var/lib/dbus/machine-id'] as const;

/** A command whose output contains the machine id, with the parser for that output. */
export interface MachineIdCommand {
  file: string;
  args: string[];
  parse(output: string): string | null;
}

/** Reads the first non-empty Linux machine id file, whitespace trimmed; null when there is none. */
export async function readLinuxMachineId(files: readonly string[] = LINUX_MACHINE_ID_FILES): Promise<string | null> {
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    const id = text.trim();
    if (id !== '') {
      return id;
    }
  }
  return null;
}

/** Extracts `IOPlatformUUID` from `ioreg -rd1 -c IOPlatformExpertDevice` output. */
export function parseIoregOutput(output: string): string | null {
  const match = /"IOPlatformUUID"\s*=\s*"([^"]*)"/.exec(output);
  const id = match?.[1].trim() ?? '';
  return id === '' ? null : id;
}

/** Extracts `MachineGuid` from `reg query HKLM\SOFTWARE\Microsoft\Cryptography /v MachineGuid` output. */
export function parseRegQueryOutput(output: string): string | null {
  const match = /MachineGuid\s+REG_SZ\s+(\S+)/i.exec(output);
  const id = match?.[1].trim() ?? '';
  return id === '' ? null : id;
}

/** Returns the command that prints the machine id on `platform`, or null where a file contains it. */
export function machineIdCommand(platform: NodeJS.Platform): MachineIdCommand | null {
  if (platform === 'darwin') {
    return { file: 'ioreg', args: ['-rd1', '-c', 'IOPlatformExpertDevice'], parse: parseIoregOutput };
  }
  if (platform === 'win32') {
    return {
      file: 'reg',
      args: ['query', 'HKLM\\SOFTWARE\\Microsoft\\Cryptography', '/v', 'MachineGuid'],
      parse: parseRegQueryOutput,
    };
  }
  return null;
}
