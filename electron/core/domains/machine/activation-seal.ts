/**
 * The activation's seal (docs/SECURITY.md §Threat model and tests, "Offline limits"): offline,
 * leases and manifests are believed because they verify under the server key pinned in
 * `activation.json`, a file the operator can edit. The seal is a MAC of that pin (and of the
 * machine id, account and activation time it belongs to) under a key derived from the machine
 * private key, so once the key is open an edited pin is refused as `tampered` instead of
 * trusted. Not sealed: the server's address and TLS pin, which move when the server proves the
 * pinned key (server-binding.ts), and the lease, which the server signs.
 */
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { sealMatches, sealRecord } from '../../../../shared/node/crypto/local-seal.ts';
import { ConsoleError } from '../../platform/console-error.ts';
import type { Activation } from './activation.store.ts';

function sealedPart(activation: Activation) {
  return {
    format: activation.format,
    server_key: activation.server_key,
    key_id: activation.key_id,
    email: activation.email,
    machine_id: activation.machine_id,
    activated_at: activation.activated_at,
  };
}

/** The activation with its seal under `sealKey` (localSealKey of the opened machine key). */
export function sealActivation(activation: Activation, sealKey: Uint8Array): Activation {
  return { ...activation, seal: sealRecord(sealKey, 'activation', sealedPart(activation)) };
}

/** Whether the activation carries a seal at all (activations made before seals do not). */
export function isSealed(activation: Activation): boolean {
  return activation.seal !== undefined;
}

/**
 * Refuses an activation whose seal does not verify under `sealKey` (`tampered`), and one with no
 * seal (`seal_missing`: made before seals, see the module comment of offline-clock.ts).
 */
export function checkActivationSeal(activation: Activation, sealKey: Uint8Array): void {
  if (activation.seal === undefined) {
    throw new ConsoleError(
      ErrorCode.SealMissing,
      'This activation was made before the console sealed its records, so its pinned server key cannot be ' +
        'trusted offline yet: unlock any resource online once (connected to the Factory API) to seal it.',
    );
  }
  if (!sealMatches(sealKey, 'activation', sealedPart(activation), activation.seal)) {
    throw new ConsoleError(
      ErrorCode.Tampered,
      'activation.json was edited (its pinned server key or identity no longer matches the seal made with ' +
        'this machine key): refused. Restore the console home from a backup, or activate this machine again.',
    );
  }
}
