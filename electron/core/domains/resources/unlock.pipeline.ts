/**
 * The unlock pipeline (docs/ARCHITECTURE.md §The unlock sequence): manifest → envelope and,
 * at the same time, the big part streamed from the CDN (resumable, URL refreshed) and
 * verified against the signed manifest → join → into the vault; then, only when asked, decrypt in parallel chunks into
 * an output file (temp 0600 + rename), audited online.
 *
 * Nothing enters the vault before every check passed: the download is staged and the
 * item is renamed into place at the end, so a failure leaves the vault unchanged.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { resourceIdSchema, type Manifest } from '../../../../shared/common/api/resources.ts';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { isIntegrityError } from '../../../../shared/node/crypto/errors.ts';
import { requireActivation, writeActivation, type Activation } from '../machine/activation.store.ts';
import { activationConnection } from '../machine/activation.ts';
import type { ConnectionOptions, ServerConnection } from '../../factory-api/server-connection.ts';
import type { KnownServersStore } from '../../factory-api/trust-store.ts';
import { ConsoleError } from '../../platform/console-error.ts';
import { checkAndRecordClock, sealClock } from '../machine/offline-clock.ts';
import { checkActivationSeal, isSealed, sealActivation } from '../machine/activation-seal.ts';
import { localSealKey } from '../../../../shared/node/crypto/local-seal.ts';
import { openDelivered, openThisMachineKey } from '../vault/vault-opener.ts';
import { CONTAINER_FILE, commitItem, itemDir, stagingDir } from '../vault/vault.store.ts';
import { sha256Hex } from '../../../../shared/node/crypto/split.ts';
import { downloadBigPart } from './cdn-download.ts';
import { flushExportQueue, queueExport } from './export-queue.ts';
import { exportToFile } from './plaintext-export.ts';
import { progressReporter, type UnlockProgress } from './progress.ts';
import { verifyLease, verifyManifest } from '../vault/signed-objects.ts';
import { processEnvironment } from '../../platform/environment.ts';

export interface UnlockInput {
  home: string;
  idOrName: string;
  /** Secret: opens the machine key (and signs in when no `connection` is given); never stored. */
  password: string;
  /**
   * A connection to the activation's server, signed in (the console UI's session). Without
   * it, one is opened through the trust store and signed in with the activation's account.
   */
  connection?: ServerConnection;
  /** The trust store for the connection opened here (default: the pin kept at activation). */
  trust?: Pick<KnownServersStore, 'pinFor'>;
  /** Export the plaintext to this file (explicit, audited). */
  outPath?: string;
  /** Refuse any changed hardware component when opening the machine key (strict-hardware setting). */
  strict?: boolean;
  env?: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal;
  onProgress?: (progress: UnlockProgress) => void;
  client?: ConnectionOptions;
  download?: { maxAttempts?: number; retryDelayMs?: number };
}

export interface UnlockResult {
  resourceId: string;
  name: string;
  version: string;
  plaintextSize: number;
  leaseValidUntil: string;
  outPath?: string;
}

async function resolveId(
  connection: ServerConnection,
  idOrName: string,
  signal?: AbortSignal,
): Promise<string> {
  if (resourceIdSchema.safeParse(idOrName).success) return idOrName;
  const matches = (await connection.client.listResources(signal)).filter(
    (resource) => resource.name === idOrName,
  );
  matches.sort((a, b) => (a.published_at < b.published_at ? 1 : -1));
  const found = matches[0];
  if (!found) throw new ConsoleError(ErrorCode.NotFound, `No resource named ${idOrName} on the Factory API.`);
  return found.id;
}

/**
 * The staging file for this seal, kept from an earlier attempt when its head is this
 * seal's small part (its SHA-256 is in the signed manifest), else emptied. The small part
 * itself comes from the envelope, which needs the machine key: it is written once that
 * key is open, while the big part downloads behind it.
 */
async function prepareStaging(home: string, manifest: Manifest): Promise<string> {
  const staging = stagingDir(home, manifest.resource_id);
  await fs.mkdir(staging, { recursive: true, mode: 0o700 });
  const file = path.join(staging, CONTAINER_FILE);
  await (await fs.open(file, 'a', 0o600)).close();
  const handle = await fs.open(file, 'r+');
  try {
    const head = Buffer.alloc(manifest.small_size);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (bytesRead < head.length || sha256Hex(head) !== manifest.small_sha256) await handle.truncate(0);
  } finally {
    await handle.close();
  }
  return file;
}

async function writeSmallPart(file: string, small: Buffer): Promise<void> {
  const handle = await fs.open(file, 'r+');
  try {
    await handle.write(small, 0, small.length, 0);
  } finally {
    await handle.close();
  }
}

/** Downloads the big part into the staging file behind the small part's place, and verifies it. */
async function stageBigPart(
  input: UnlockInput,
  connection: ServerConnection,
  activation: Activation,
  manifest: Manifest,
  file: string,
  cdnUrl: string,
  signal: AbortSignal,
): Promise<void> {
  const report = progressReporter('download', manifest.big_size, input.onProgress);
  await downloadBigPart({
    transport: connection.transport,
    baseUrl: connection.client.baseUrl,
    url: cdnUrl,
    refreshUrl: async () =>
      (await connection.client.cdnUrl(manifest.resource_id, activation.machine_id, signal)).cdn_url,
    file,
    offset: manifest.small_size,
    expectedSize: manifest.big_size,
    expectedSha256: manifest.big_sha256,
    signal,
    onBytes: report,
    ...input.download,
  });
}

/**
 * Opens the machine key (the password's scrypt), checks the activation's seal and the
 * clock, and opens the envelope: the DEK and the small part. Zeroes the keys it opened.
 */
async function openDeliveredParts(
  input: UnlockInput,
  activation: Activation,
  manifest: Manifest,
  envelope: Buffer,
  now: number,
): Promise<{ dek: Buffer; small: Buffer }> {
  const key = await openThisMachineKey(
    input.home,
    activation,
    input.password,
    input.env ?? processEnvironment(),
    {
      ...(input.strict ? { strict: true } : {}),
    },
  );
  const sealKey = localSealKey(key.privateKey, activation.machine_id);
  try {
    const sealed = await sealedActivation(input.home, activation, sealKey, now);
    await checkAndRecordClock(input.home, { activation: sealed, sealKey }, now);
    return openDelivered({
      privateKey: key.privateKey,
      envelope,
      manifest,
      machineId: activation.machine_id,
    });
  } finally {
    sealKey.fill(0);
    key.privateKey.fill(0);
  }
}

/**
 * Runs the key side (scrypt, seal, clock, envelope) and the download side at once: the
 * big part needs no key, its SHA-256 is in the signed manifest. When the key side fails
 * (a wrong password, a clock set back) the download stops, its partial file kept, and the
 * key side's error is the answer; when the download fails, the DEK is zeroed.
 */
async function openAndStage(
  input: UnlockInput,
  connection: ServerConnection,
  activation: Activation,
  manifest: Manifest,
  envelope: Buffer,
  cdnUrl: string,
  now: number,
): Promise<{ dek: Buffer; small: Buffer }> {
  const stop = new AbortController();
  const signal = input.signal ? AbortSignal.any([input.signal, stop.signal]) : stop.signal;
  const file = await prepareStaging(input.home, manifest);
  const keySide = openDeliveredParts(input, activation, manifest, envelope, now).then(async (delivered) => {
    try {
      await writeSmallPart(file, delivered.small);
      return delivered;
    } catch (error) {
      delivered.dek.fill(0);
      throw error;
    }
  });
  keySide.catch(() => stop.abort());
  const [opened, staged] = await Promise.allSettled([
    keySide,
    stageBigPart(input, connection, activation, manifest, file, cdnUrl, signal),
  ]);
  // Only once both sides settled: the key side writes the small part into this folder.
  // Bytes that do not match the signed manifest are worthless: never resume from them.
  if (staged.status === 'rejected' && isIntegrityError(staged.reason))
    await fs.rm(path.dirname(file), { recursive: true, force: true });
  if (opened.status === 'rejected') throw opened.reason;
  if (staged.status === 'rejected') {
    opened.value.dek.fill(0);
    throw staged.reason;
  }
  return opened.value;
}

/**
 * The activation, checked against its seal (`tampered` when it does not verify). One made before
 * seals is sealed here, with its clock record: the manifest and the fresh lease were just verified
 * under its pinned server key, signed by the server this unlock reached, which is what the seal
 * then vouches for offline.
 */
async function sealedActivation(
  home: string,
  activation: Activation,
  sealKey: Uint8Array,
  now: number,
): Promise<Activation> {
  if (isSealed(activation)) {
    checkActivationSeal(activation, sealKey);
    return activation;
  }
  const sealed = sealActivation(activation, sealKey);
  await sealClock(home, { activation: sealed, sealKey }, now);
  await writeActivation(home, sealed);
  return sealed;
}

/** Unlocks a resource into the vault (and optionally exports it). */
export async function unlockResource(input: UnlockInput): Promise<UnlockResult> {
  const activation = await requireActivation(input.home);
  const own = input.connection === undefined;
  const connection = input.connection ?? activationConnection(activation, input.trust, input.client);
  try {
    const { client } = connection;
    if (own) await client.login(activation.email, input.password);
    await flushExportQueue(input.home, client).catch(() => 0);
    const resourceId = await resolveId(connection, input.idOrName, input.signal);
    const fetched = await client.getManifest(resourceId, input.signal);
    const manifest = verifyManifest(activation.server_key, fetched, resourceId);
    const unlocked = await client.unlock(resourceId, activation.machine_id, input.signal);
    // The unlock response must carry the very manifest fetched above, signed.
    verifyManifest(activation.server_key, unlocked.manifest, resourceId);
    if (unlocked.manifest.canonical_hash !== fetched.canonical_hash) {
      throw new ConsoleError(
        ErrorCode.IntegrityFailed,
        'The server sent two different manifests for one resource: refused.',
      );
    }
    const now = Date.now();
    const lease = verifyLease(activation.server_key, unlocked.lease, {
      machineId: activation.machine_id,
      resourceId,
      now,
    });
    const envelope = Buffer.from(unlocked.envelope, 'base64');
    const { dek } = await openAndStage(
      input,
      connection,
      activation,
      manifest,
      envelope,
      unlocked.cdn_url,
      now,
    );
    try {
      await commitItem(input.home, resourceId, {
        envelope,
        manifest: unlocked.manifest,
        lease: unlocked.lease,
      });
      const result: UnlockResult = {
        resourceId,
        name: manifest.name,
        version: manifest.version,
        plaintextSize: manifest.plaintext_size,
        leaseValidUntil: lease.valid_until,
      };
      if (input.outPath === undefined) return result;
      await exportToFile({
        containerPath: path.join(itemDir(input.home, resourceId), CONTAINER_FILE),
        dek,
        manifest,
        signal: input.signal,
        outPath: input.outPath,
        onBytes: progressReporter('decrypt', manifest.plaintext_size, input.onProgress),
      });
      const exportedAt = new Date().toISOString();
      try {
        await client.reportExport(resourceId, {
          machineId: activation.machine_id,
          exportedAt,
          offline: false,
        });
      } catch {
        // The file is written; the audit event must not be lost: it goes out with the next unlock.
        await queueExport(input.home, {
          resource_id: resourceId,
          machine_id: activation.machine_id,
          exported_at: exportedAt,
        });
      }
      return { ...result, outPath: path.resolve(input.outPath) };
    } finally {
      dek.fill(0);
    }
  } finally {
    if (own) connection.close();
  }
}
