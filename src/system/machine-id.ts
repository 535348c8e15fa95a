import { execFile } from 'node:child_process';
import { machineIdCommand, readLinuxMachineId } from '../vault/machine-id';

/**
 * Reads this host's machine id: `/etc/machine-id` or `/var/lib/dbus/machine-id` on Linux,
 * `IOPlatformUUID` on macOS, `MachineGuid` on Windows. Returns null when none is found.
 * `AMULET_MACHINE_ID_FILE` replaces the Linux file list with one path, so tests can run Locked
 * mode against a made-up id.
 */
export async function readMachineId(platform: NodeJS.Platform = process.platform): Promise<string | null> {
  const override = process.env.AMULET_MACHINE_ID_FILE;
  if (override !== undefined && override !== '') {
    return readLinuxMachineId([override]);
  }

  const command = machineIdCommand(platform);
  if (command === null) {
    return readLinuxMachineId();
  }

  const output = await new Promise<string | null>((resolve) => {
    execFile(command.file, command.args, { encoding: 'utf8', timeout: 10_000, windowsHide: true }, (error, stdout) => {
      resolve(error ? null : stdout);
    });
  });
  return output === null ? null : command.parse(output);
}
