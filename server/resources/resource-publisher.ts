/**
 * Publishing (docs/ARCHITECTURE.md §The Factory API): plaintext in (streamed), then a random DEK,
 * an FCR1 seal, the split — small head to the database, big rest to the CDN store —
 * the DEK sealed under the master key, and a signed manifest.
 *
 * The plaintext is spooled to a private temporary file first: the container header
 * carries the plaintext size, which a chunked upload does not announce. The spool
 * is deleted whatever happens. Memory stays at about one chunk.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { canonicalJson } from '../../shared/common/canonical-json.ts';
import { MANIFEST_FORMAT, type Manifest, type SignedManifest } from '../../shared/common/api/resources.ts';
import { ErrorCode } from '../../shared/common/errors.ts';
import { DEFAULT_CHUNK_SIZE, containerSize, sealContainer } from '../../shared/node/crypto/container.ts';
import { sealSecret } from '../../shared/node/crypto/secret-box.ts';
import { smallPartSize } from '../../shared/node/crypto/split.ts';
import { ApiError } from '../errors.ts';
import type { SigningKey } from '../secrets/server-keys.ts';
import type { CdnStore } from '../cdn/cdn-store.ts';
import type { ResourcesDb } from './resources.tables.ts';

export interface PublishInput {
  source: AsyncIterable<Uint8Array>;
  name: string;
  version: string;
  publisherId: string;
}

export interface PublisherDeps {
  db: ResourcesDb;
  cdn: CdnStore;
  signing: SigningKey;
  masterKey: Uint8Array;
  dataDir: string;
  maxBytes: number;
  chunkSize?: number;
  /**
   * Runs the row's insert: the route passes one that commits it with the audit entry
   * (`app.audit.transact`); default: the insert alone on `db`.
   */
  commit?: (insert: (db: ResourcesDb) => Promise<void>, manifest: Manifest) => Promise<void>;
}

/** The additional data a DEK is sealed with: a sealed DEK opens only for its own resource. */
export function dekAad(resourceId: string): Buffer {
  return Buffer.from(`FactoryConsole/dek/v1\n${resourceId}`);
}

/** Signs a manifest: Ed25519 over its canonical JSON, plus that JSON's SHA-256. */
export function signManifest(signing: SigningKey, manifest: Manifest): SignedManifest {
  return {
    manifest,
    canonical_hash: createHash('sha256').update(canonicalJson(manifest)).digest('hex'),
    signature: signing.signCanonical(manifest),
  };
}

async function spool(source: AsyncIterable<Uint8Array>, file: string, maxBytes: number) {
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(
    source,
    async function* (chunks: AsyncIterable<Uint8Array>) {
      for await (const chunk of chunks) {
        size += chunk.length;
        if (size > maxBytes) {
          throw new ApiError(
            ErrorCode.PayloadTooLarge,
            `the resource is larger than FACTORY_MAX_RESOURCE_BYTES (${maxBytes} bytes)`,
          );
        }
        hash.update(chunk);
        yield chunk;
      }
    },
    createWriteStream(file, { mode: 0o600, highWaterMark: 4 * 1024 * 1024 }),
  );
  return { size, sha256: hash.digest('hex') };
}

/** Splits a container stream: collects the small head, passes the rest on while hashing it. */
function splitter(smallSize: number) {
  const head: Buffer[] = [];
  let headBytes = 0;
  const bigHash = createHash('sha256');
  async function* big(container: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (let piece of container) {
      if (headBytes < smallSize) {
        const take = Math.min(smallSize - headBytes, piece.length);
        head.push(piece.subarray(0, take));
        headBytes += take;
        piece = piece.subarray(take);
      }
      if (piece.length > 0) {
        bigHash.update(piece);
        yield piece;
      }
    }
  }
  return { big, small: () => Buffer.concat(head), bigSha256: () => bigHash.digest('hex') };
}

/** Publishes one resource; returns its id and signed manifest. */
export async function publishResource(deps: PublisherDeps, input: PublishInput): Promise<SignedManifest> {
  const existing = await deps.db
    .selectFrom('resources')
    .select('id')
    .where('name', '=', input.name)
    .where('version', '=', input.version)
    .executeTakeFirst();
  if (existing)
    throw new ApiError(ErrorCode.Conflict, `${input.name} version ${input.version} is already published`);
  const id = `res_${randomBytes(12).toString('hex')}`;
  const spoolDir = path.join(deps.dataDir, 'spool');
  await fs.mkdir(spoolDir, { recursive: true, mode: 0o700 });
  const spoolFile = path.join(spoolDir, `${id}.plain`);
  const chunkSize = deps.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const cdnObject = `${id}/${randomBytes(8).toString('hex')}.fcr`;
  const dek = randomBytes(32);
  try {
    const plain = await spool(input.source, spoolFile, deps.maxBytes);
    const total = containerSize(plain.size, chunkSize);
    const smallSize = smallPartSize(total);
    const split = splitter(smallSize);
    const sealed = sealContainer(createReadStream(spoolFile, { highWaterMark: chunkSize }), {
      dek,
      resourceId: id,
      plaintextSize: plain.size,
      chunkSize,
    });
    const bigSize = await deps.cdn.put(cdnObject, split.big(sealed));
    const small = split.small();
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      resource_id: id,
      name: input.name,
      version: input.version,
      published_at: new Date().toISOString(),
      plaintext_size: plain.size,
      plaintext_sha256: plain.sha256,
      chunk_size: chunkSize,
      container_size: total,
      small_size: small.length,
      small_sha256: createHash('sha256').update(small).digest('hex'),
      big_size: bigSize,
      big_sha256: split.bigSha256(),
      key_id: deps.signing.keyId,
    };
    const signed = signManifest(deps.signing, manifest);
    const insert = async (db: ResourcesDb): Promise<void> => {
      await db
        .insertInto('resources')
        .values({
          id,
          name: input.name,
          version: input.version,
          manifest: canonicalJson(manifest),
          signature: signed.signature,
          small_part: small.toString('base64'),
          sealed_dek: sealSecret(deps.masterKey, dek, dekAad(id)).toString('base64'),
          cdn_object: cdnObject,
          publisher_id: input.publisherId,
          created_at: manifest.published_at,
        })
        .execute();
    };
    await (deps.commit ? deps.commit(insert, manifest) : insert(deps.db));
    return signed;
  } catch (error) {
    await deps.cdn.delete(cdnObject).catch(() => undefined);
    throw error;
  } finally {
    dek.fill(0);
    await fs.rm(spoolFile, { force: true });
  }
}
