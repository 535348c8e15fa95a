import { AmuletError } from '../vault/errors';
import { confirmOnTerminal, printWarning, promptHidden } from './io';

/**
 * Asks for a typed passphrase a second time when it starts a new vault (`opensExisting` null),
 * and for a confirmation when it does not open the vault's other entries (false), since a typo
 * there would lock the secrets away. Throws when the user declines or the repeat differs.
 */
export async function confirmTypedPassphrase(
  vaultPath: string,
  passphrase: Buffer,
  opensExisting: boolean | null,
  action: 'seal' | 'import',
): Promise<void> {
  if (opensExisting === true) {
    return;
  }

  const nothingDone = action === 'seal' ? 'nothing sealed' : 'nothing imported';
  if (opensExisting === false) {
    printWarning(
      `this passphrase does not open the other entries of ${vaultPath}; ` +
        'a vault with mixed passphrases makes "amulet compose" fail for some keys',
    );
    const verb = action === 'seal' ? 'Seal' : 'Import';
    if (!(await confirmOnTerminal(`${verb} with a different passphrase anyway?`))) {
      throw new AmuletError('ECANCELED', `${nothingDone}: the passphrase differs from the vault's other entries`, {
        hint: "run the command again and type the vault's passphrase",
      });
    }
    return;
  }

  const repeated = await promptHidden('Repeat passphrase: ');
  const same = repeated.equals(passphrase);
  repeated.fill(0);
  if (!same) {
    throw new AmuletError('EPASSMISMATCH', `the two passphrases do not match; ${nothingDone}`, {
      hint: 'run the command again',
    });
  }
}
