/**
 * The console's download from an S3-compatible CDN (a real s3rver on loopback): a
 * presigned URL resumes a partial file with Range, an expired one (S3 answers 403) is
 * renewed, and the origin policy holds — no credentials in URLs, no plain http off this
 * machine, no redirects followed, no header of ours sent to the CDN.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../../shared/common/errors.ts';
import { PinnedTransport } from '../../../../../electron/core/factory-api/pinned-transport.ts';
import { foreignCdnUrl } from '../../../../../electron/core/factory-api/cdn-origin-policy.ts';
import { downloadBigPart } from '../../../../../electron/core/domains/resources/cdn-download.ts';
import { S3CdnStore } from '../../../../../server/cdn/s3-cdn.store.ts';
import { tempDir } from '../../../../server/helpers.ts';
import { startS3rver, type S3rverServer } from '../../../../server/cdn/s3rver-server.ts';
import { createHash } from 'node:crypto';

let s3: S3rverServer;
let store: S3CdnStore;
let dir: string;
// The API transport: never used for an absolute URL (nothing listens there).
const api = 'http://127.0.0.1:9';
const transport = new PinnedTransport(api);
const big = randomBytes(5 * 1024 * 1024 + 99);
const sha256 = createHash('sha256').update(big).digest('hex');
const object = 'res_s3/big.fcr';

beforeAll(async () => {
  s3 = await startS3rver();
  store = new S3CdnStore(s3.config());
  await store.open();
  await store.put(
    object,
    (async function* () {
      yield big;
    })(),
  );
  dir = await tempDir('cdn-download-s3-');
});
afterAll(async () => {
  transport.close();
  store?.close();
  await s3?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('CDN download from S3', () => {
  it('renews an expired presigned URL and resumes a partial file with Range', async () => {
    const stale = (await store.downloadUrl(object, 1_000)).url;
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const file = path.join(dir, 'resume.fcr');
    const small = Buffer.alloc(300, 7);
    await fs.writeFile(file, Buffer.concat([small, big.subarray(0, 2_000_000)]));
    let renewed = 0;
    const progress: number[] = [];
    await downloadBigPart({
      transport,
      baseUrl: api,
      url: stale,
      refreshUrl: async () => {
        renewed += 1;
        return (await store.downloadUrl(object, 600_000)).url;
      },
      file,
      offset: small.length,
      expectedSize: big.length,
      expectedSha256: sha256,
      onBytes: (bytes) => progress.push(bytes),
    });
    expect(renewed).toBe(1);
    expect(progress[0]).toBe(2_000_000); // resumed, not restarted
    expect((await fs.readFile(file)).equals(Buffer.concat([small, big]))).toBe(true);
  });

  it('refuses URLs with credentials, plain http off this machine, and other schemes', () => {
    expect(() => foreignCdnUrl('https://user:pw@s3.example.com/b/k')).toThrow(/credentials/);
    expect(() => foreignCdnUrl('http://s3.example.com/b/k')).toThrow(/plain http/);
    expect(() => foreignCdnUrl('http://10.0.0.5:9000/b/k')).toThrow(/plain http/);
    expect(() => foreignCdnUrl('file:///etc/passwd')).toThrow(/scheme/);
    expect(foreignCdnUrl('https://s3.example.com/b/k?X-Amz-Signature=00').host).toBe('s3.example.com');
    expect(foreignCdnUrl('http://127.0.0.1:9000/b/k').port).toBe('9000');
  });

  it('follows no redirect and sends only Range and Accept to the CDN', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const target = (await store.downloadUrl(object, 600_000)).url;
    const redirector = http.createServer((request, response) => {
      seen.push(request.headers);
      response.writeHead(302, { location: target }).end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    const { port } = redirector.address() as AddressInfo;
    try {
      const file = path.join(dir, 'redirect.fcr');
      await fs.writeFile(file, Buffer.alloc(0));
      await expect(
        downloadBigPart({
          transport,
          baseUrl: api,
          url: `http://127.0.0.1:${port}/b/k?X-Amz-Signature=00`,
          refreshUrl: async () => target,
          file,
          offset: 0,
          expectedSize: big.length,
          expectedSha256: sha256,
        }),
      ).rejects.toMatchObject({ code: ErrorCode.Unavailable });
      expect((await fs.stat(file)).size).toBe(0);
      expect(seen).toHaveLength(1);
      const names = Object.keys(seen[0]!).filter((name) => !['host', 'connection'].includes(name));
      expect(names.sort()).toEqual(['accept', 'range']);
    } finally {
      redirector.close();
    }
  });
});
