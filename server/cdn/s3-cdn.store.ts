/**
 * The CDN on an S3-compatible bucket (docs/SERVER.md §The CDN on S3): big parts are
 * uploaded while publishing as a streamed multipart upload (`@aws-sdk/lib-storage`:
 * memory stays at queue × part size, the object appears complete or not at all), and
 * consoles download them with presigned GET URLs (`@aws-sdk/s3-request-presigner`).
 *
 * Secrets: the access key pair lives in the S3 client only. A presigned URL carries the
 * access key id and a signature (HMAC of the request under a key derived from the secret),
 * never the secret itself; it names one object until one time, like the local CDN's URL.
 * Error messages built here name the bucket, the endpoint's host and the S3 error code,
 * nothing the SDK put in its own message.
 */
import { PassThrough, Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  S3Client,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3CdnConfig } from './cdn.config.ts';
import {
  CDN_OBJECT_PATTERN,
  type CdnDownloadUrl,
  type CdnHealth,
  type CdnRetention,
  type CdnStore,
} from './cdn-store.ts';

/** Multipart part size and parallel parts: 8 MiB × 4 in flight while publishing. */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 4;
/** `check()` results are reused this long (`/ready` is polled by balancers). */
const CHECK_CACHE_MS = 2_000;

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/** The S3 error's name or the socket's code: short, and carries no credential. */
function codeOf(error: unknown): string {
  const { name, code } = error as { name?: unknown; code?: unknown };
  if (typeof code === 'string' && code !== '') return code;
  return typeof name === 'string' && name !== '' && name !== 'Error' ? name : 'no answer';
}

export class S3CdnStore implements CdnStore {
  readonly #config: S3CdnConfig;
  readonly #client: S3Client;
  #retention: CdnRetention;
  #lastCheck: { at: number; health: Promise<CdnHealth> } | undefined;

  constructor(config: S3CdnConfig) {
    this.#config = config;
    this.#client = new S3Client({
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(config.credentials ? { credentials: config.credentials } : {}),
      maxAttempts: 3,
      // Checksums only where S3 requires them: S3-compatible servers differ on the newer
      // trailing-checksum uploads, and the console checks every byte against the signed manifest.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    this.#retention = {
      state: config.objectLockDays > 0 ? 'on' : 'off',
      detail:
        config.objectLockDays > 0
          ? `object lock asked for (${config.objectLockDays} days)`
          : 'object lock off',
    };
  }

  /** `bucket NAME at HOST`: for messages (no credentials, no path). */
  get where(): string {
    const host = this.#config.endpoint
      ? new URL(this.#config.endpoint).host
      : `s3.${this.#config.region}.amazonaws.com`;
    return `bucket ${this.#config.bucket} at ${host}`;
  }

  #key(name: string): string {
    if (!CDN_OBJECT_PATTERN.test(name)) throw new Error(`invalid CDN object name ${JSON.stringify(name)}`);
    return name;
  }

  /**
   * Checks the bucket and whether it can lock objects; called once at start. Returns the
   * health (not ok: the server must not start).
   */
  async open(): Promise<CdnHealth> {
    const health = await this.check();
    if (!health.ok) return health;
    if (this.#config.objectLockDays > 0) {
      try {
        const answer = await this.#client.send(
          new GetObjectLockConfigurationCommand({ Bucket: this.#config.bucket }),
          { abortSignal: AbortSignal.timeout(10_000) },
        );
        const enabled = answer.ObjectLockConfiguration?.ObjectLockEnabled === 'Enabled';
        this.#retention = enabled
          ? { state: 'on', detail: `big parts locked ${this.#config.objectLockDays} days (GOVERNANCE)` }
          : { state: 'unsupported', detail: `object lock is not enabled on ${this.where}` };
      } catch (error) {
        this.#retention = {
          state: 'unsupported',
          detail: `object lock not supported by the bucket (${this.where}: ${codeOf(error)}): big parts are not retained`,
        };
      }
    }
    return health;
  }

  retention(): CdnRetention {
    return this.#retention;
  }

  check(): Promise<CdnHealth> {
    const now = Date.now();
    if (this.#lastCheck && now - this.#lastCheck.at < CHECK_CACHE_MS) return this.#lastCheck.health;
    const health = this.#headBucket();
    this.#lastCheck = { at: now, health };
    return health;
  }

  async #headBucket(): Promise<CdnHealth> {
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.#config.bucket }), {
        abortSignal: AbortSignal.timeout(5_000),
      });
      return { ok: true, detail: `big parts in ${this.where}` };
    } catch (error) {
      const status = statusOf(error);
      if (status === 404)
        return {
          ok: false,
          reason: 'config',
          variable: 'FACTORY_S3_BUCKET',
          detail: `${this.where} does not exist`,
        };
      if (codeOf(error) === 'CredentialsProviderError')
        return {
          ok: false,
          reason: 'config',
          variable: 'AWS_ACCESS_KEY_ID',
          detail: `no credentials for ${this.where}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
        };
      if (status === 403 || status === 400 || status === 401)
        return {
          ok: false,
          reason: 'config',
          variable: 'AWS_ACCESS_KEY_ID',
          detail: `${this.where} refuses these credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, HTTP ${status})`,
        };
      return {
        ok: false,
        reason: 'unreachable',
        variable: this.#config.endpoint ? 'FACTORY_S3_ENDPOINT' : 'FACTORY_S3_REGION',
        detail: `${this.where} does not answer (${codeOf(error)})`,
      };
    }
  }

  async put(name: string, source: AsyncIterable<Uint8Array>): Promise<number> {
    let size = 0;
    const counted = Readable.from(
      (async function* () {
        for await (const chunk of source) {
          size += chunk.length;
          yield chunk;
        }
      })(),
      { objectMode: false, highWaterMark: PART_SIZE },
    );
    const lock: Partial<PutObjectCommandInput> =
      this.#retention.state === 'on'
        ? {
            ObjectLockMode: 'GOVERNANCE',
            ObjectLockRetainUntilDate: new Date(Date.now() + this.#config.objectLockDays * 86_400_000),
          }
        : {};
    const upload = new Upload({
      client: this.#client,
      queueSize: QUEUE_SIZE,
      partSize: PART_SIZE,
      leavePartsOnError: false,
      params: {
        Bucket: this.#config.bucket,
        Key: this.#key(name),
        Body: counted,
        ContentType: 'application/octet-stream',
        ...lock,
      },
    });
    try {
      await upload.done();
    } catch (error) {
      counted.destroy();
      throw new Error(`upload to ${this.where} failed (${codeOf(error)})`, { cause: error });
    }
    return size;
  }

  async size(name: string): Promise<number | undefined> {
    try {
      const head = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#config.bucket, Key: this.#key(name) }),
      );
      return head.ContentLength;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw new Error(`${this.where}: cannot read object size (${codeOf(error)})`, {
        cause: error,
      });
    }
  }

  read(name: string, start: number, end: number): Readable {
    const out = new PassThrough({ highWaterMark: 1024 * 1024 });
    const command = new GetObjectCommand({
      Bucket: this.#config.bucket,
      Key: this.#key(name),
      Range: `bytes=${start}-${end}`,
    });
    this.#client.send(command).then(
      (answer) => {
        const body = answer.Body as Readable;
        body.once('error', (error) => out.destroy(error));
        out.once('close', () => body.destroy());
        body.pipe(out);
      },
      (error: unknown) => out.destroy(new Error(`${this.where}: read failed (${codeOf(error)})`)),
    );
    return out;
  }

  async delete(name: string): Promise<void> {
    await this.#client.send(
      new DeleteObjectCommand({
        Bucket: this.#config.bucket,
        Key: this.#key(name),
        ...(this.#retention.state === 'on' ? { BypassGovernanceRetention: true } : {}),
      }),
    );
  }

  async downloadUrl(name: string, ttlMs: number): Promise<CdnDownloadUrl> {
    const expiresIn = Math.max(1, Math.floor(ttlMs / 1000));
    const signedAt = new Date();
    const url = await getSignedUrl(
      this.#client,
      new GetObjectCommand({ Bucket: this.#config.bucket, Key: this.#key(name) }),
      { expiresIn, signingDate: signedAt },
    );
    return { url, expiresAt: new Date(signedAt.getTime() + expiresIn * 1000) };
  }

  close(): void {
    this.#client.destroy();
  }
}
