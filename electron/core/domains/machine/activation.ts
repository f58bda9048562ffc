/**
 * Activation (docs/ARCHITECTURE.md §The key hierarchy): pin the server's certificate (trust on first
 * use only when confirmed, or given), sign in, fingerprint this machine, make and seal
 * the machine key, register it (seat limit on the server), and keep the pinned
 * certificate, the server's signing key and the lease.
 */
import fs from 'node:fs/promises';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { hardwareHash } from '../../../../shared/node/crypto/hardware-hash.ts';
import type { ScryptParams } from '../../../../shared/node/crypto/kdf.ts';
import { verifyCanonical } from '../../../../shared/node/crypto/signing.ts';
import {
  normaliseFingerprint,
  probeCertificate,
  type CertificatePin,
} from '../../factory-api/pinned-transport.ts';
import {
  openConnection,
  type ConnectionOptions,
  type ServerConnection,
} from '../../factory-api/server-connection.ts';
import type { KnownServersStore } from '../../factory-api/trust-store.ts';
import { ConsoleError } from '../../platform/console-error.ts';
import { loadOrCreateInstallSalt } from './install-salt.ts';
import { createMachineKey, machineKeyPath } from './machine-key.ts';
import { fingerprintFor } from './fingerprint.collector.ts';
import { writeActivation, type Activation } from './activation.store.ts';
import { sealActivation } from './activation-seal.ts';
import { localSealKey } from '../../../../shared/node/crypto/local-seal.ts';
import { sealClock } from './offline-clock.ts';
import { processEnvironment } from '../../platform/environment.ts';

export interface ActivateInput {
  home: string;
  serverUrl: string;
  email: string;
  /** Secret: used for the sign-in and the machine key, never stored. */
  password: string;
  label: string;
  /** The certificate fingerprint the operator got from the server's administrator. */
  fingerprint?: string;
  /** Trust on first use: shows the fingerprint and asks; only a `true` answer pins it. */
  confirm?: (fingerprint256: string) => Promise<boolean>;
  env?: Readonly<Record<string, string | undefined>>;
  client?: ConnectionOptions;
  /** The console's trust store: an https activation pins the server's certificate there too. */
  trust?: Pick<KnownServersStore, 'pin' | 'pinFor'>;
  /**
   * A connection to `serverUrl` already signed in as `email` (the console UI's session):
   * used as is, so the password only seals the machine key and a mistyped one never
   * counts towards the account's lock-out. Without it a connection is opened and signed in.
   */
  connection?: ServerConnection;
  /** scrypt cost of the machine key (default MACHINE_KEK_SCRYPT); tests lower it, the CLI never does. */
  keyParams?: ScryptParams;
}

/**
 * A connection to the activation's server: pinned to the certificate the trust store
 * holds for its origin (renewed there with `server.trust`), else to the one pinned at
 * activation.
 */
export function activationConnection(
  activation: Pick<Activation, 'server_url' | 'certificate'>,
  trust: Pick<KnownServersStore, 'pinFor'> | undefined,
  options: ConnectionOptions = {},
): ServerConnection {
  const pin = trust?.pinFor(activation.server_url) ?? activation.certificate;
  return openConnection(activation.server_url, pin, options);
}

async function pinFor(input: ActivateInput): Promise<CertificatePin | null> {
  if (new URL(input.serverUrl).protocol !== 'https:') return null;
  const trusted = input.trust?.pinFor(input.serverUrl);
  const seen = await probeCertificate(input.serverUrl);
  // Already confirmed in this console (server.trust): the server must still present it.
  if (trusted && input.fingerprint === undefined && trusted.fingerprint256 === seen.fingerprint256)
    return seen;
  if (input.fingerprint !== undefined) {
    if (normaliseFingerprint(input.fingerprint) !== seen.fingerprint256) {
      throw new ConsoleError(
        ErrorCode.CertificateMismatch,
        `The server presents certificate ${seen.fingerprint256}, not the given ${normaliseFingerprint(input.fingerprint)}. ` +
          'Nothing was sent to it. Check the fingerprint with the server administrator.',
      );
    }
    return seen;
  }
  if (input.confirm && (await input.confirm(seen.fingerprint256))) return seen;
  throw new ConsoleError(
    ErrorCode.CertificateMismatch,
    `The server's certificate fingerprint is ${seen.fingerprint256}. Confirm it with the server administrator, ` +
      'then run activate again with --fingerprint (or answer yes at the prompt).',
  );
}

/** Activates this console against a Factory API; returns the stored record. */
export async function activateMachine(input: ActivateInput): Promise<Activation> {
  const pin = await pinFor(input);
  const own = input.connection === undefined;
  const connection = input.connection ?? openConnection(input.serverUrl, pin, input.client);
  const keyPath = machineKeyPath(input.home);
  const pending = `${keyPath}.pending`;
  try {
    if (own) await connection.client.login(input.email, input.password);
    const fingerprint = await fingerprintFor(input.env ?? processEnvironment());
    const installSalt = await loadOrCreateInstallSalt(input.home);
    const hwHash = hardwareHash(fingerprint.components, installSalt);
    // The new key goes live only once the server accepted it: a refused activation
    // (seat limit, wrong role) leaves a previous activation intact.
    await fs.rm(pending, { force: true });
    const keys = await createMachineKey({
      path: pending,
      email: input.email,
      password: input.password,
      components: fingerprint.components,
      installSalt,
      ...(input.keyParams ? { params: input.keyParams } : {}),
    });
    let response: Awaited<ReturnType<typeof connection.client.activateMachine>>;
    let sealKey: Buffer;
    try {
      response = await connection.client.activateMachine({
        hwHash: hwHash.toString('hex'),
        publicKey: keys.publicKey.toString('base64'),
        label: input.label,
      });
      // The seal of the local records (activation-seal.ts, offline-clock.ts) needs the machine id.
      sealKey = localSealKey(keys.privateKey, response.machine_id);
    } finally {
      keys.privateKey.fill(0);
    }
    const serverKey = Buffer.from(response.server_key, 'base64');
    if (
      !verifyCanonical(serverKey, response.lease.lease, response.lease.signature) ||
      response.lease.lease.machine_id !== response.machine_id
    ) {
      throw new ConsoleError(
        ErrorCode.IntegrityFailed,
        'The server sent a lease that does not verify: activation refused.',
      );
    }
    await fs.rename(pending, keyPath);
    const unsealed: Activation = {
      format: 'factory-console/activation/v1',
      server_url: connection.client.baseUrl,
      certificate: pin,
      server_key: response.server_key,
      key_id: response.key_id,
      email: input.email.trim().toLowerCase(),
      label: input.label,
      machine_id: response.machine_id,
      activated_at: new Date().toISOString(),
      lease: response.lease,
    };
    try {
      const activation = sealActivation(unsealed, sealKey);
      if (pin && input.trust) await input.trust.pin(input.serverUrl, pin);
      // The clock record first: a sealed activation without one reads as a deleted record.
      await sealClock(input.home, { activation, sealKey }, Date.now());
      await writeActivation(input.home, activation);
      return activation;
    } finally {
      sealKey.fill(0);
    }
  } finally {
    await fs.rm(pending, { force: true });
    if (own) connection.close();
  }
}
