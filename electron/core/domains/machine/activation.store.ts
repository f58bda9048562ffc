/**
 * What activation leaves in the console home (`activation.json`, 0600): the server,
 * its pinned TLS certificate and signing key, this machine's id and the account's
 * e-mail. Nothing secret: the private key is in the sealed key file, the password
 * and tokens only in memory. Validated on every read; written atomically.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { machineIdSchema, signedLeaseSchema } from '../../../../shared/common/api/resources.ts';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { writeFileAtomic } from '../../../../shared/node/atomic-file.ts';
import { readJsonFile } from '../../../../shared/node/json-file.ts';
import { ConsoleError } from '../../platform/console-error.ts';

const activationSchema = z.strictObject({
  format: z.literal('factory-console/activation/v1'),
  server_url: z.string().url(),
  /** Null for a plain-http server (development only). */
  certificate: z.strictObject({ fingerprint256: z.string(), pem: z.string() }).nullable(),
  /** The server's Ed25519 public key (base64): manifests and leases must verify under it. */
  server_key: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
  key_id: z.string(),
  email: z.string(),
  label: z.string(),
  machine_id: machineIdSchema,
  activated_at: z.string(),
  lease: signedLeaseSchema,
  /**
   * The machine key's seal over the pins offline checks rest on (activation-seal.ts). Absent in
   * activations made before seals: offline opening waits for one online unlock to add it.
   */
  seal: z.string().optional(),
});
export type Activation = z.infer<typeof activationSchema>;

export function activationPath(home: string): string {
  return path.join(home, 'activation.json');
}

/** The activation record, or undefined when this console home is not activated. */
export async function readActivation(home: string): Promise<Activation | undefined> {
  const read = await readJsonFile(activationPath(home), activationSchema);
  if (read.state === 'missing') return undefined;
  if (read.state !== 'ok')
    throw new ConsoleError(
      ErrorCode.IntegrityFailed,
      `${activationPath(home)} is damaged: restore it from a backup or activate again.`,
    );
  return read.value;
}

/** The activation record; a clear `not_activated` error when there is none. */
export async function requireActivation(home: string): Promise<Activation> {
  const activation = await readActivation(home);
  if (!activation) {
    throw new ConsoleError(
      ErrorCode.NotActivated,
      'This console is not activated: run factory-console activate --server URL --email E.',
    );
  }
  return activation;
}

export async function writeActivation(home: string, activation: Activation): Promise<void> {
  await writeFileAtomic(
    activationPath(home),
    `${JSON.stringify(activationSchema.parse(activation), null, 2)}\n`,
  );
}

export async function removeActivation(home: string): Promise<void> {
  await fs.rm(activationPath(home), { force: true });
}
