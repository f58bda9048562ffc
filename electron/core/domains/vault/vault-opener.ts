/**
 * Opening a vault item offline (docs/ARCHITECTURE.md §The offline vault): password → machine key (this
 * machine's fingerprint, at most one component changed) → envelope → DEK. Refused,
 * with a message that says what to do, when the lease expired, when the clock was
 * set back, when the fingerprint changed in more than one component, when the pinned
 * server key or the clock record was edited or deleted (their seals, under the machine
 * key), or when anything stored does not verify against what the server signed.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Manifest } from '../../../../shared/common/api/resources.ts';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { openEnvelope } from '../../../../shared/node/crypto/envelope.ts';
import { IntegrityError } from '../../../../shared/node/crypto/errors.ts';
import { requireActivation, type Activation } from '../machine/activation.store.ts';
import { ConsoleError } from '../../platform/console-error.ts';
import { fingerprintFor } from '../machine/fingerprint.collector.ts';
import { machineKeyPath, openMachineKey } from '../machine/machine-key.ts';
import { verifyLease, verifyManifest } from './signed-objects.ts';
import { checkAndRecordClock } from '../machine/offline-clock.ts';
import { checkActivationSeal } from '../machine/activation-seal.ts';
import { localSealKey } from '../../../../shared/node/crypto/local-seal.ts';
import { CONTAINER_FILE, ENVELOPE_FILE, findRecord, itemDir, type VaultRecord } from './vault.store.ts';
import { processEnvironment } from '../../platform/environment.ts';

export interface OpenedVaultItem {
  activation: Activation;
  record: VaultRecord;
  manifest: Manifest;
  containerPath: string;
  /** Secret: the resource's DEK. Zero it after use. */
  dek: Buffer;
  /** True when one changed component was re-bound while opening the machine key. */
  rebound: boolean;
}

/**
 * Opens this machine's private key with the operator's password. `strict` (the
 * console's strict-hardware setting) refuses any changed component instead of
 * re-binding one. Secret result: zero it after use.
 */
export async function openThisMachineKey(
  home: string,
  activation: Activation,
  password: string,
  env: Readonly<Record<string, string | undefined>>,
  options: { strict?: boolean } = {},
): Promise<{ privateKey: Buffer; rebound: boolean }> {
  // The hardware is read while the password's scrypt runs (openMachineKey awaits both).
  const opened = await openMachineKey({
    path: machineKeyPath(home),
    email: activation.email,
    password,
    components: fingerprintFor(env).then((fingerprint) => fingerprint.components),
    ...(options.strict ? { strict: true } : {}),
  });
  return { privateKey: opened.privateKey, rebound: opened.rebound };
}

/** Opens the envelope and checks its small part against the manifest. */
export function openDelivered(input: {
  privateKey: Buffer;
  envelope: Uint8Array;
  manifest: Manifest;
  machineId: string;
}): { dek: Buffer; small: Buffer } {
  const payload = openEnvelope({
    recipientPrivateKey: input.privateKey,
    resourceId: input.manifest.resource_id,
    machineId: input.machineId,
    envelope: input.envelope,
  });
  const dek = Buffer.from(payload.subarray(0, 32));
  const small = Buffer.from(payload.subarray(32));
  payload.fill(0);
  if (dek.length !== 32 || createHash('sha256').update(small).digest('hex') !== input.manifest.small_sha256) {
    dek.fill(0);
    throw new IntegrityError();
  }
  return { dek, small };
}

/**
 * What opens the machine key: the operator's password (opened here, zeroed here), or a
 * key the caller already opened (the unlocked vault's; the caller owns it and zeroes it).
 */
export type MachineKeyCredential =
  { password: string; key?: never } | { key: { readonly privateKey: Buffer }; password?: never };

export type OpenVaultItemInput = MachineKeyCredential & {
  home: string;
  idOrName: string;
  env?: Readonly<Record<string, string | undefined>>;
  now?: number;
  /** Refuse any changed hardware component (only used with a password). */
  strict?: boolean;
};

/** Opens one vault item offline; see the module comment for what is checked. */
export async function openVaultItem(input: OpenVaultItemInput): Promise<OpenedVaultItem> {
  const now = input.now ?? Date.now();
  const activation = await requireActivation(input.home);
  const record = await findRecord(input.home, input.idOrName);
  if (!record) {
    throw new ConsoleError(
      ErrorCode.NotFound,
      `${input.idOrName} is not in this console's vault: unlock it online first.`,
    );
  }
  const resourceId = record.manifest.manifest.resource_id;
  // The machine key first: the pinned server key and the clock record are believed only once
  // their seals verify under it (activation-seal.ts, offline-clock.ts).
  const key =
    input.key !== undefined
      ? { privateKey: input.key.privateKey, rebound: false, owned: false }
      : {
          ...(await openThisMachineKey(
            input.home,
            activation,
            input.password,
            input.env ?? processEnvironment(),
            {
              ...(input.strict ? { strict: true } : {}),
            },
          )),
          owned: true,
        };
  const sealKey = localSealKey(key.privateKey, activation.machine_id);
  let manifest: Manifest;
  let containerPath: string;
  let envelope: Buffer;
  try {
    checkActivationSeal(activation, sealKey);
    manifest = verifyManifest(activation.server_key, record.manifest, resourceId);
    await checkAndRecordClock(input.home, { activation, sealKey }, now);
    verifyLease(activation.server_key, record.lease, { machineId: activation.machine_id, resourceId, now });
    const directory = itemDir(input.home, resourceId);
    containerPath = path.join(directory, CONTAINER_FILE);
    const info = await fs.stat(containerPath).catch(() => undefined);
    if (!info || info.size !== manifest.container_size) throw new IntegrityError();
    envelope = await fs.readFile(path.join(directory, ENVELOPE_FILE));
  } catch (error) {
    if (key.owned) key.privateKey.fill(0);
    throw error;
  } finally {
    sealKey.fill(0);
  }
  try {
    const { dek, small } = openDelivered({
      privateKey: key.privateKey,
      envelope,
      manifest,
      machineId: activation.machine_id,
    });
    // The stored head must be the delivered one (the per-chunk MACs check the rest).
    const handle = await fs.open(containerPath, 'r');
    try {
      const head = Buffer.alloc(small.length);
      await handle.read(head, 0, head.length, 0);
      if (!head.equals(small)) {
        dek.fill(0);
        throw new IntegrityError();
      }
    } finally {
      await handle.close();
    }
    return { activation, record, manifest, containerPath, dek, rebound: key.rebound };
  } finally {
    // Key material: zero what was opened here; a caller's key is the caller's to zero.
    if (key.owned) key.privateKey.fill(0);
  }
}
