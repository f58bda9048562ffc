/**
 * What activation leaves in the console home (`activation.json`, 0600): the server,
 * its pinned TLS certificate and signing key, this machine's id and the account's
 * e-mail. Nothing secret: the private key is in the sealed key file, the password
 * and tokens only in memory. Validated on every read; written atomically.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { writeFileAtomic } from '../../../../shared/node/atomic-file.ts';
import { readJsonFile } from '../../../../shared/node/json-file.ts';
import { ConsoleError } from '../../platform/console-error.ts';
import type { activationSchema } from './activation.schema.ts';

/** The record's schema, loaded when a record is read or written (activation.schema.ts says why). */
const loadSchema = async () => (await import('./activation.schema.ts')).activationSchema;

export type Activation = z.infer<typeof activationSchema>;

export function activationPath(home: string): string {
  return path.join(home, 'activation.json');
}

/** The activation record, or undefined when this console home is not activated. */
export async function readActivation(home: string): Promise<Activation | undefined> {
  const read = await readJsonFile(activationPath(home), loadSchema);
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
    `${JSON.stringify((await loadSchema()).parse(activation), null, 2)}\n`,
  );
}

export async function removeActivation(home: string): Promise<void> {
  await fs.rm(activationPath(home), { force: true });
}
