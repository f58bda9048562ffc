/**
 * The CDN download against the real Factory API's `/cdn/` route: an expired signed URL
 * is refreshed, a partial file resumes with Range, and a wrong hash keeps nothing.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../../shared/common/errors.ts';
import { PinnedTransport } from '../../../../../electron/core/factory-api/pinned-transport.ts';
import { downloadBigPart } from '../../../../../electron/core/domains/resources/cdn-download.ts';
import { CdnUrlSigner } from '../../../../../server/cdn/cdn-url.ts';
import { resourcesDb } from '../../../../../server/resources/resources.tables.ts';
import {
  ADMIN_EMAIL,
  DEV_PASSWORD,
  listenOnLoopback,
  login,
  publishResource,
  startTestApp,
  tempDir,
  type TestApp,
} from '../../../../server/helpers.ts';

let test: TestApp;
let baseUrl: string;
let transport: PinnedTransport;
let object: string;
let manifest: { big_size: number; big_sha256: string; small_size: number };
let dir: string;
let bigPart: Buffer;

beforeAll(async () => {
  test = await startTestApp();
  baseUrl = await listenOnLoopback(test.app);
  transport = new PinnedTransport(baseUrl);
  const admin = await login(test.app, ADMIN_EMAIL, DEV_PASSWORD);
  const published = await publishResource(test.app, admin, 'part', randomBytes(3 * 1024 * 1024));
  manifest = published.manifest.manifest as typeof manifest;
  const row = await resourcesDb(test.app.db)
    .selectFrom('resources')
    .select('cdn_object')
    .executeTakeFirstOrThrow();
  object = row.cdn_object;
  bigPart = await fs.readFile(path.join(test.dataDir, 'cdn', object));
  dir = await tempDir('cdn-download-');
});
afterAll(async () => {
  transport.close();
  await test.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('CDN download', () => {
  it('refreshes an expired URL and resumes a partial file with Range', async () => {
    const stale = new CdnUrlSigner(test.app.keys.master, () => Date.now() - 20 * 60 * 1000).sign(object).url;
    const fresh = new CdnUrlSigner(test.app.keys.master);
    const file = path.join(dir, 'resume.fcr');
    const small = Buffer.alloc(manifest.small_size, 7);
    await fs.writeFile(file, Buffer.concat([small, bigPart.subarray(0, 1_000_000)]));
    let refreshed = 0;
    const progress: number[] = [];
    await downloadBigPart({
      transport,
      baseUrl,
      url: stale,
      refreshUrl: async () => {
        refreshed += 1;
        return fresh.sign(object).url;
      },
      file,
      offset: small.length,
      expectedSize: manifest.big_size,
      expectedSha256: manifest.big_sha256,
      onBytes: (bytes) => progress.push(bytes),
    });
    expect(refreshed).toBe(1);
    expect(progress[0]).toBe(1_000_000); // resumed, not restarted
    expect((await fs.readFile(file)).equals(Buffer.concat([small, bigPart]))).toBe(true);
  });

  it('refuses bytes that do not match the signed hash, and a forged URL', async () => {
    const file = path.join(dir, 'wrong.fcr');
    await fs.writeFile(file, Buffer.alloc(10));
    const url = new CdnUrlSigner(test.app.keys.master).sign(object).url;
    const input = {
      transport,
      baseUrl,
      url,
      refreshUrl: async () => url,
      file,
      offset: 10,
      expectedSize: manifest.big_size,
    };
    await expect(downloadBigPart({ ...input, expectedSha256: '0'.repeat(64) })).rejects.toMatchObject({
      code: ErrorCode.IntegrityFailed,
    });
    await fs.writeFile(file, Buffer.alloc(10));
    const forged = url.replace(/sig=[0-9a-f]{4}/, 'sig=0000');
    await expect(
      downloadBigPart({ ...input, url: forged, expectedSha256: manifest.big_sha256 }),
    ).rejects.toMatchObject({ code: ErrorCode.Forbidden });
  });

  it('a disk that cannot take the bytes is one clear error, not a retried download', async () => {
    // /dev/full answers every write with ENOSPC, as a full disk does.
    const url = new CdnUrlSigner(test.app.keys.master).sign(object).url;
    let refreshed = 0;
    const failure = downloadBigPart({
      transport,
      baseUrl,
      url,
      refreshUrl: async () => {
        refreshed += 1;
        return url;
      },
      file: '/dev/full',
      offset: 0,
      expectedSize: manifest.big_size,
      expectedSha256: manifest.big_sha256,
      retryDelayMs: 1,
    });
    await expect(failure).rejects.toMatchObject({
      code: ErrorCode.Internal,
      message: expect.stringContaining('ENOSPC'),
    });
    expect(refreshed).toBe(0);
  });
});
