/**
 * The local half of deactivation, shared by the CLI's `deactivate` and the console's
 * `machine.deactivate`: deletes the vault, the machine key and then the activation
 * record. The record goes last so an interrupted run still finds it and can be re-run.
 */
import fs from 'node:fs/promises';
import { machineKeyPath } from '../machine/machine-key.ts';
import { removeActivation } from '../machine/activation.store.ts';
import { removeVault } from './vault.store.ts';

export async function removeLocalActivation(home: string): Promise<void> {
  await removeVault(home);
  await fs.rm(machineKeyPath(home), { force: true });
  await removeActivation(home);
}
