/**
 * The CDN download runs on a thread of its own (cdn-download.worker.ts): against the real
 * Factory API over TLS, no request leaves the calling thread, the pin is still checked
 * inside the handshake there, and errors come back as the same classes. Against a plain
 * node:http server that misbehaves on purpose: a cancel mid-body keeps what arrived (on
 * disk) for the resume, a server that ignores Range is started over, a refresh the API
 * cannot answer is that answer's error.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../../shared/common/errors.ts';
import { IntegrityError } from '../../../../../shared/node/crypto/errors.ts';
import {
  PinnedTransport,
  probeCertificate,
  type CertificatePin,
} from '../../../../../electron/core/factory-api/pinned-transport.ts';
import { FactoryApiError } from '../../../../../electron/core/factory-api/factory-api.error.ts';
import { ConsoleError } from '../../../../../electron/core/platform/console-error.ts';
import { downloadBigPart } from '../../../../../electron/core/domains/resources/cdn-download.ts';
import { CdnUrlSigner } from '../../../../../server/cdn/cdn-url.ts';
import { resourcesDb } from '../../../../../server/resources/resources.tables.ts';
import { startServer, type RunningServer } from '../../../../../server/serve.ts';
import { selfSignedCertificate } from '../../../../e2e/self-signed-certificate.ts';
import {
  ADMIN_EMAIL,
  DEV_PASSWORD,
  login,
  publishResource,
  tempDir,
  testConfig,
} from '../../../../server/helpers.ts';

const MiB = 1024 * 1024;
let server: RunningServer;
let dir: string;
let pin: CertificatePin;
let object: string;
let bigPart: Buffer;
let manifest: { big_size: number; big_sha256: string };
let signer: CdnUrlSigner;

beforeAll(async () => {
  dir = await tempDir('cdn-thread-');
  server = await startServer({
    config: testConfig(path.join(dir, 'data'), { tls: 'on', port: 0 }),
    logger: false,
  });
  pin = await probeCertificate(server.url);
  const admin = await login(server.app, ADMIN_EMAIL, DEV_PASSWORD);
  const published = await publishResource(server.app, admin, 'part', randomBytes(6 * MiB));
  manifest = published.manifest.manifest as typeof manifest;
  object = (
    await resourcesDb(server.app.db).selectFrom('resources').select('cdn_object').executeTakeFirstOrThrow()
  ).cdn_object;
  bigPart = await fs.readFile(path.join(dir, 'data', 'cdn', object));
  signer = new CdnUrlSigner(server.app.keys.master);
});
afterAll(async () => {
  await server.close();
  await fs.rm(dir, { recursive: true, force: true });
});

function input(transport: PinnedTransport, file: string, baseUrl = server.url) {
  return {
    transport,
    baseUrl,
    url: signer.sign(object).url,
    refreshUrl: async () => signer.sign(object).url,
    file,
    offset: 0,
    expectedSize: manifest.big_size,
    expectedSha256: manifest.big_sha256,
    retryDelayMs: 1,
    maxAttempts: 2,
  };
}

/** A certificate nobody pinned (openssl's command line): the chain to it does not verify against the real one. */
function otherCertificate(): string {
  const { certFile } = selfSignedCertificate(dir, 'other');
  return execFileSync('openssl', ['x509', '-in', certFile], { encoding: 'utf8' });
}

describe('the download thread, against the real Factory API over TLS', () => {
  it('receives the big part with no request from the calling thread, through the same pin', async () => {
    const transport = new PinnedTransport(server.url, { pin });
    const file = path.join(dir, 'thread.fcr');
    await fs.writeFile(file, '');
    const original = https.request;
    let calls = 0;
    https.request = ((...args: Parameters<typeof https.request>) => {
      calls += 1;
      return original(...args);
    }) as typeof https.request;
    const progress: number[] = [];
    try {
      await downloadBigPart({ ...input(transport, file), onBytes: (bytes) => progress.push(bytes) });
    } finally {
      https.request = original;
      transport.close();
    }
    expect(calls).toBe(0);
    expect((await fs.readFile(file)).equals(bigPart)).toBe(true);
    expect(progress.at(-1)).toBe(bigPart.length);
  });

  it('refuses a server whose certificate is not the pinned one, sends nothing and does not retry', async () => {
    const file = path.join(dir, 'mismatch.fcr');
    for (const wrong of [
      { fingerprint256: `AA${pin.fingerprint256.slice(2)}`, pem: pin.pem }, // the chain verifies, the fingerprint not
      { fingerprint256: pin.fingerprint256, pem: otherCertificate() }, // the chain does not verify
    ]) {
      await fs.writeFile(file, '');
      const transport = new PinnedTransport(server.url, { pin: wrong });
      let refreshed = 0;
      const started = Date.now();
      const failure = downloadBigPart({
        ...input(transport, file),
        refreshUrl: async () => {
          refreshed += 1;
          return signer.sign(object).url;
        },
        retryDelayMs: 5_000, // a retry would show in the time taken
      });
      await expect(failure).rejects.toBeInstanceOf(FactoryApiError);
      await expect(failure).rejects.toMatchObject({ code: ErrorCode.CertificateMismatch });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(refreshed).toBe(0);
      expect((await fs.stat(file)).size).toBe(0);
      transport.close();
    }
  });

  it('gives back the one IntegrityError, and a forged URL as the API error it is', async () => {
    const transport = new PinnedTransport(server.url, { pin });
    const file = path.join(dir, 'classes.fcr');
    await fs.writeFile(file, '');
    const wrongHash = downloadBigPart({ ...input(transport, file), expectedSha256: '0'.repeat(64) });
    await expect(wrongHash).rejects.toBeInstanceOf(IntegrityError);
    await fs.writeFile(file, '');
    const forged = downloadBigPart({
      ...input(transport, file),
      url: signer.sign(object).url.replace(/sig=[0-9a-f]{4}/, 'sig=0000'),
    });
    await expect(forged).rejects.toBeInstanceOf(FactoryApiError);
    await expect(forged).rejects.toMatchObject({ code: ErrorCode.Forbidden, status: 403 });
    transport.close();
  });
});

describe('the download thread, against a misbehaving plain HTTP server', () => {
  let cdn: http.Server;
  let cdnUrl: string;
  /** What the next request gets: the bytes from the Range start, and how the server behaves. */
  let behaviour: 'stall-after-1.5-MiB' | 'ignore-range' | 'expired' = 'ignore-range';
  const ranges: string[] = [];

  beforeAll(async () => {
    cdn = http.createServer((request, response) => {
      ranges.push(request.headers.range ?? '');
      if (behaviour === 'expired') {
        response.writeHead(410, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { code: 'url_expired', message: 'expired' } }));
        return;
      }
      const start = Number(/^bytes=(\d+)-$/.exec(request.headers.range ?? '')?.[1] ?? 0);
      if (behaviour === 'ignore-range') {
        response.writeHead(200, { 'content-length': bigPart.length });
        response.end(bigPart);
        return;
      }
      response.writeHead(206, { 'content-length': bigPart.length - start });
      response.write(bigPart.subarray(start, start + 1.5 * MiB)); // then nothing: the connection stalls
    });
    await new Promise<void>((resolve) => cdn.listen(0, '127.0.0.1', resolve));
    cdnUrl = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    cdn.closeAllConnections();
    await new Promise((resolve) => cdn.close(resolve));
  });

  it('a cancel mid-body keeps every byte that arrived, on disk, and the next attempt resumes from there', async () => {
    behaviour = 'stall-after-1.5-MiB';
    const transport = new PinnedTransport(cdnUrl);
    const file = path.join(dir, 'cancel.fcr');
    await fs.writeFile(file, '');
    const stop = new AbortController();
    const cancelled = downloadBigPart({
      ...input(transport, file, cdnUrl),
      url: '/part',
      signal: stop.signal,
      onBytes: (bytes) => {
        if (bytes >= MiB) stop.abort(); // the first full buffer written, the rest of the body still coming
      },
    });
    await expect(cancelled).rejects.toBeInstanceOf(ConsoleError);
    await expect(cancelled).rejects.toMatchObject({ code: ErrorCode.Cancelled });
    const kept = await fs.readFile(file);
    expect(kept.length).toBeGreaterThanOrEqual(MiB);
    expect(kept.equals(bigPart.subarray(0, kept.length))).toBe(true);
    transport.close();

    // The real server serves the rest: the download starts where the kept bytes end.
    const real = new PinnedTransport(server.url, { pin });
    const progress: number[] = [];
    await downloadBigPart({ ...input(real, file), onBytes: (bytes) => progress.push(bytes) });
    real.close();
    expect(progress[0]).toBe(kept.length);
    expect((await fs.readFile(file)).equals(bigPart)).toBe(true);
  });

  it('a server that ignores Range is started over, so a kept prefix of wrong bytes is replaced', async () => {
    behaviour = 'ignore-range';
    const transport = new PinnedTransport(cdnUrl);
    const file = path.join(dir, 'range.fcr');
    await fs.writeFile(file, randomBytes(MiB)); // not the big part's first MiB
    ranges.length = 0;
    await downloadBigPart({ ...input(transport, file, cdnUrl), url: '/part' });
    transport.close();
    expect(ranges).toEqual([`bytes=${MiB}-`, 'bytes=0-']);
    expect((await fs.readFile(file)).equals(bigPart)).toBe(true);
  });

  it('a fresh URL the API refuses is that refusal, as the API error; the partial file stays', async () => {
    behaviour = 'expired';
    const transport = new PinnedTransport(cdnUrl);
    const file = path.join(dir, 'refresh.fcr');
    await fs.writeFile(file, bigPart.subarray(0, 1000));
    const refusal = new FactoryApiError(ErrorCode.Unauthenticated, 'Sign in again.', { status: 401 });
    const failure = downloadBigPart({
      ...input(transport, file, cdnUrl),
      url: '/part',
      refreshUrl: async () => {
        throw refusal;
      },
    });
    await expect(failure).rejects.toBeInstanceOf(FactoryApiError);
    await expect(failure).rejects.toMatchObject({
      code: ErrorCode.Unauthenticated,
      message: 'Sign in again.',
      status: 401,
    });
    transport.close();
    expect((await fs.readFile(file)).equals(bigPart.subarray(0, 1000))).toBe(true);
  });

  it('a cancel while a fresh URL is being asked for ends the download without waiting for it', async () => {
    behaviour = 'expired';
    const transport = new PinnedTransport(cdnUrl);
    const file = path.join(dir, 'refresh-cancel.fcr');
    await fs.writeFile(file, '');
    const stop = new AbortController();
    const failure = downloadBigPart({
      ...input(transport, file, cdnUrl),
      url: '/part',
      signal: stop.signal,
      refreshUrl: () => {
        stop.abort();
        return new Promise<string>(() => {}); // never answered
      },
    });
    await expect(failure).rejects.toMatchObject({ code: ErrorCode.Cancelled });
    transport.close();
  });
});
