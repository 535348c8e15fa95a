// Derivation of entry keys, once per (salt, mode): entries sealed under one passphrase with a
// shared salt open with a single Argon2id run.

import { availableParallelism, freemem } from 'node:os';
import { AmuletError } from './errors';
import { deriveKey, KDF_MEMORY_BYTES } from './crypto';
import { LINUX_MACHINE_ID_FILES } from './machine-id';

/** Machine id of this host, or a function that reads it on first use; null when there is none. */
export type MachineIdSource = string | null | (() => Promise<string | null>);

export type Mode = 'locked' | 'portable';

export function missingMachineIdError(action: 'seal' | 'unseal', key?: string): AmuletError {
  const what = key === undefined ? 'a Locked entry' : `Locked entry "${key}"`;
  const places =
    process.platform === 'darwin'
      ? 'IOPlatformUUID'
      : process.platform === 'win32'
        ? 'MachineGuid'
        : LINUX_MACHINE_ID_FILES.join(' or ');
  return new AmuletError('ENOMACHINEID', `cannot ${action} ${what}: this host has no machine id (${places})`, {
    hint:
      action === 'seal'
        ? 'seal with --portable in containers and CI, or give the host a machine id (systemd-machine-id-setup)'
        : 'open the entry on the machine that sealed it, or re-seal it there with --portable',
  });
}

/** Upper bound of Argon2id runs at once: one per core, and one per 128 MiB of free memory. */
export function kdfConcurrency(): number {
  const byMemory = Math.floor(freemem() / (2 * KDF_MEMORY_BYTES));
  return Math.max(1, Math.min(availableParallelism(), byMemory));
}

/**
 * Derives and caches entry keys for one passphrase. Each (mode, salt) pair costs one KDF run;
 * runs beyond `kdfConcurrency()` wait for a free slot. `dispose()` zeroes every cached key.
 */
export class KeyRing {
  private readonly cache = new Map<string, Promise<Buffer>>();
  private machineIdPromise: Promise<Buffer | null> | undefined;
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly limit = kdfConcurrency();

  constructor(
    private readonly passphrase: Buffer,
    private readonly machineIdSource: MachineIdSource,
  ) {}

  /** Returns the machine id as bytes, reading it at most once. */
  machineId(): Promise<Buffer | null> {
    if (this.machineIdPromise === undefined) {
      const source = this.machineIdSource;
      const read = typeof source === 'function' ? source() : Promise.resolve(source);
      this.machineIdPromise = read.then((id) => (id === null || id.trim() === '' ? null : Buffer.from(id.trim(), 'utf8')));
    }
    return this.machineIdPromise;
  }

  /** Derives (or returns the cached) key for `salt` in `mode`; `keyName` only names the entry in errors. */
  key(mode: Mode, salt: Buffer, action: 'seal' | 'unseal', keyName?: string): Promise<Buffer> {
    const cacheKey = `${mode}:${salt.toString('hex')}`;
    let pending = this.cache.get(cacheKey);
    if (pending === undefined) {
      pending = this.derive(mode, Buffer.from(salt), action, keyName);
      this.cache.set(cacheKey, pending);
      // A failed derivation is not cached, so that a later call can report its own error.
      pending.catch(() => this.cache.delete(cacheKey));
    }
    return pending;
  }

  /** Number of distinct keys derived or under way. */
  get derivations(): number {
    return this.cache.size;
  }

  private async derive(mode: Mode, salt: Buffer, action: 'seal' | 'unseal', keyName?: string): Promise<Buffer> {
    let machineId: Buffer | null = null;
    if (mode === 'locked') {
      machineId = await this.machineId();
      if (machineId === null) {
        throw missingMachineIdError(action, keyName);
      }
    }

    await this.acquire();
    try {
      return await deriveKey(this.passphrase, salt, machineId);
    } finally {
      this.release();
    }
  }

  private async acquire(): Promise<void> {
    if (this.running < this.limit) {
      this.running += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next === undefined) {
      this.running -= 1;
    } else {
      next();
    }
  }

  async dispose(): Promise<void> {
    const keys = await Promise.allSettled(this.cache.values());
    for (const result of keys) {
      if (result.status === 'fulfilled') {
        result.value.fill(0);
      }
    }
    this.cache.clear();
  }
}
