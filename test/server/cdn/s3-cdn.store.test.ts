/**
 * The S3 CDN store against a real s3rver on loopback: streamed multipart upload, size,
 * ranged reads, presigned GET URLs (Range, expiry), health, object lock reported as not
 * supported, and the start-up errors naming the variable.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCdnConfig } from '../../../server/cdn/cdn.config.ts';
import { ConfigError } from '../../../server/config-env.ts';
import { openCdnStore } from '../../../server/cdn/open-cdn-store.ts';
import { DependencyUnreachableError } from '../../../server/db/database-errors.ts';
import type { S3CdnStore } from '../../../server/cdn/s3-cdn.store.ts';
import { startS3rver, type S3rverServer } from './s3rver-server.ts';

async function* pieces(data: Buffer, size: number) {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

describe('S3 CDN store on s3rver', () => {
  let s3: S3rverServer;
  let store: S3CdnStore;
  // More than two 8 MiB parts: a real multipart upload.
  const data = randomBytes(17 * 1024 * 1024 + 123);

  beforeAll(async () => {
    s3 = await startS3rver();
    store = (await openCdnStore({ s3: s3.config(), urlTtlMs: 600_000 }, '/nonexistent')) as S3CdnStore;
  });
  afterAll(async () => {
    store?.close();
    await s3?.close();
  });

  it('stores a streamed object whole, reads ranges, deletes it', async () => {
    expect(await store.put('res_a/big.fcr', pieces(data, 100_000))).toBe(data.length);
    expect(await store.size('res_a/big.fcr')).toBe(data.length);
    expect((await collect(store.read('res_a/big.fcr', 0, data.length - 1))).equals(data)).toBe(true);
    const slice = await collect(store.read('res_a/big.fcr', 9_000_000, 9_000_999));
    expect(slice.equals(data.subarray(9_000_000, 9_001_000))).toBe(true);
    await store.delete('res_a/big.fcr');
    expect(await store.size('res_a/big.fcr')).toBeUndefined();
  });

  it('a failed upload leaves no object behind', async () => {
    async function* broken() {
      yield data.subarray(0, 9 * 1024 * 1024);
      throw new Error('publisher went away');
    }
    await expect(store.put('res_b/big.fcr', broken())).rejects.toThrow();
    expect(await store.size('res_b/big.fcr')).toBeUndefined();
  });

  it('hands out a presigned GET URL that serves Range requests and expires', async () => {
    await store.put('res_c/big.fcr', pieces(data.subarray(0, 1_000_000), 65_536));
    const { url, expiresAt } = await store.downloadUrl('res_c/big.fcr', 600_000);
    expect(url.startsWith(`${s3.endpoint}/${s3.bucket}/res_c/big.fcr?`)).toBe(true);
    expect(url).toContain('X-Amz-Signature=');
    expect(url).not.toContain(s3.secretAccessKey);
    expect(Math.abs(expiresAt.getTime() - Date.now() - 600_000)).toBeLessThan(5_000);
    const ranged = await fetch(url, { headers: { range: 'bytes=500000-' } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(data.subarray(500_000, 1_000_000))).toBe(true);

    const short = await store.downloadUrl('res_c/big.fcr', 1_000);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const expired = await fetch(short.url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('expired');
  });

  it('reports health, and object lock as not supported by the bucket', async () => {
    expect(await store.check()).toMatchObject({ ok: true });
    expect(store.retention().state).toBe('off');
    const locking = (await openCdnStore(
      { s3: s3.config({ objectLockDays: 30 }), urlTtlMs: 1 },
      '/x',
    )) as S3CdnStore;
    try {
      expect(locking.retention()).toMatchObject({ state: 'unsupported' });
      expect(locking.retention().detail).toContain('not supported by the bucket');
      // Still stores: big parts are just not retained.
      expect(await locking.put('res_d/big.fcr', pieces(data.subarray(0, 1000), 100))).toBe(1000);
    } finally {
      locking.close();
    }
  });

  it('refuses to open a missing bucket (config: exit 2) or a silent endpoint (exit 3), naming the variable', async () => {
    const missing = openCdnStore({ s3: s3.config({ bucket: 'no-such-bucket' }), urlTtlMs: 1 }, '/x');
    await expect(missing).rejects.toBeInstanceOf(ConfigError);
    await expect(missing).rejects.toThrow(
      /^FACTORY_S3_BUCKET: bucket no-such-bucket at 127\.0\.0\.1:\d+ does not exist$/,
    );
    // A port nothing listens on (s3rver's own, once closed, is taken by nothing else here).
    const down = await startS3rver();
    const endpoint = down.endpoint;
    await down.close();
    const unreachable = openCdnStore({ s3: s3.config({ endpoint }), urlTtlMs: 1 }, '/x');
    await expect(unreachable).rejects.toBeInstanceOf(DependencyUnreachableError);
    await expect(unreachable).rejects.toThrow(
      /^FACTORY_S3_ENDPOINT: bucket factory-cdn at 127\.0\.0\.1:\d+ does not answer/,
    );
  });

  it('reads its variables, naming the bad one', () => {
    expect(loadCdnConfig({}).s3).toBeUndefined();
    expect(loadCdnConfig({ FACTORY_CDN_URL_TTL_S: '30' }).urlTtlMs).toBe(30_000);
    const config = loadCdnConfig({
      FACTORY_S3_BUCKET: 'my-bucket',
      FACTORY_S3_ENDPOINT: 'https://minio.example.com:9000',
      FACTORY_S3_FORCE_PATH_STYLE: '1',
      AWS_ACCESS_KEY_ID: 'AK',
      AWS_SECRET_ACCESS_KEY: 'SK',
    });
    expect(config.s3).toMatchObject({ bucket: 'my-bucket', forcePathStyle: true, region: 'us-east-1' });
    expect(() => loadCdnConfig({ FACTORY_S3_BUCKET: 'Bad_Bucket' })).toThrow(/^FACTORY_S3_BUCKET: /);
    expect(() => loadCdnConfig({ FACTORY_S3_BUCKET: 'ok-bucket', FACTORY_S3_ENDPOINT: 'ftp://x' })).toThrow(
      /^FACTORY_S3_ENDPOINT: /,
    );
    expect(() => loadCdnConfig({ FACTORY_S3_ENDPOINT: 'https://s3.example.com' })).toThrow(
      /^FACTORY_S3_ENDPOINT: .*FACTORY_S3_BUCKET/,
    );
    expect(() => loadCdnConfig({ FACTORY_S3_BUCKET: 'ok-bucket', AWS_ACCESS_KEY_ID: 'AK' })).toThrow(
      /^AWS_SECRET_ACCESS_KEY: /,
    );
  });
});
