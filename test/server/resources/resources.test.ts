/**
 * Publish, list, manifest, unlock and the CDN route of the real Factory API on a
 * temporary data directory (inject), checked with the crypto core as the client would.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../shared/common/canonical-json.ts';
import { openContainerBuffer } from '../../../shared/node/crypto/container.ts';
import { openEnvelope } from '../../../shared/node/crypto/envelope.ts';
import { verifyCanonical } from '../../../shared/node/crypto/signing.ts';
import { joinParts, sha256Hex } from '../../../shared/node/crypto/split.ts';
import { generateX25519KeyPair } from '../../../shared/node/crypto/x25519.ts';
import {
  ADMIN_EMAIL,
  DEV_PASSWORD,
  bearer,
  login,
  startTestApp,
  userWithRole,
  type Session,
  type TestApp,
} from '../helpers.ts';

let test: TestApp;
let admin: Session;
let publisher: Session;
let operator: Session;
const plaintext = randomBytes(2 * 1024 * 1024 + 12345);

async function publish(body: Buffer, name: string, version = '1', token = publisher.access_token) {
  return test.app.inject({
    method: 'POST',
    url: `/api/v1/resources?name=${encodeURIComponent(name)}&version=${version}`,
    headers: { ...bearer(token), 'content-type': 'application/octet-stream' },
    payload: body,
  });
}

beforeAll(async () => {
  test = await startTestApp();
  admin = await login(test.app, ADMIN_EMAIL, DEV_PASSWORD);
  publisher = await userWithRole(test.app, admin, 'publisher');
  operator = await userWithRole(test.app, admin, 'operator');
});
afterAll(async () => test.close());

describe('resources', () => {
  it('publishes, signs the manifest, and unlocks to an envelope the machine key opens', async () => {
    const published = await publish(plaintext, 'tool-a');
    expect(published.statusCode).toBe(201);
    const { resource, manifest: signed } = published.json();
    expect(signed.manifest.plaintext_sha256).toBe(sha256Hex(plaintext));
    expect(signed.manifest.small_size).toBe(3072);
    expect(verifyCanonical(test.app.keys.signing.publicKey, signed.manifest, signed.signature)).toBe(true);
    expect(sha256Hex(Buffer.from(canonicalJson(signed.manifest)))).toBe(signed.canonical_hash);
    expect(JSON.stringify(signed)).not.toContain('dek');

    const list = await test.app.inject({ url: '/api/v1/resources', headers: bearer(operator.access_token) });
    expect(list.json().resources.map((r: { id: string }) => r.id)).toContain(resource.id);

    const keys = generateX25519KeyPair();
    const activated = await test.app.inject({
      method: 'POST',
      url: '/api/v1/machines',
      headers: bearer(operator.access_token),
      payload: {
        hw_hash: randomBytes(48).toString('hex'),
        public_key: keys.publicKey.toString('base64'),
        label: 'bench',
      },
    });
    expect(activated.statusCode).toBe(201);
    const machineId = activated.json().machine_id as string;

    const unlocked = await test.app.inject({
      method: 'POST',
      url: `/api/v1/resources/${resource.id}/unlock`,
      headers: bearer(operator.access_token),
      payload: { machine_id: machineId },
    });
    expect(unlocked.statusCode).toBe(200);
    const body = unlocked.json();
    expect(verifyCanonical(test.app.keys.signing.publicKey, body.lease.lease, body.lease.signature)).toBe(
      true,
    );
    expect(body.lease.lease.resource_ids).toEqual([resource.id]);
    const payload = openEnvelope({
      recipientPrivateKey: keys.privateKey,
      resourceId: resource.id,
      machineId,
      envelope: Buffer.from(body.envelope, 'base64'),
    });
    const dek = payload.subarray(0, 32);
    const small = payload.subarray(32);
    const big = await test.app.inject({ url: body.cdn_url });
    expect(big.statusCode).toBe(200);
    const container = joinParts({
      small,
      big: big.rawPayload,
      smallSha256: signed.manifest.small_sha256,
      bigSha256: signed.manifest.big_sha256,
    });
    expect(openContainerBuffer(container, { dek, resourceId: resource.id }).equals(plaintext)).toBe(true);

    const ranged = await test.app.inject({ url: body.cdn_url, headers: { range: 'bytes=100-199' } });
    expect(ranged.statusCode).toBe(206);
    expect(ranged.headers['content-range']).toBe(`bytes 100-199/${signed.manifest.big_size}`);
    expect(ranged.rawPayload.equals(big.rawPayload.subarray(100, 200))).toBe(true);

    const forged = body.cdn_url.replace(
      /sig=([0-9a-f])/,
      (_m: string, c: string) => `sig=${c === '0' ? '1' : '0'}`,
    );
    expect((await test.app.inject({ url: forged })).statusCode).toBe(403);
    const another = await test.app.inject({
      method: 'POST',
      url: `/api/v1/resources/${resource.id}/unlock`,
      headers: bearer(publisher.access_token),
      payload: { machine_id: machineId },
    });
    expect(another.statusCode).toBe(403);
  });

  it('refuses duplicates, bad names, oversize and callers without the permission', async () => {
    const body = randomBytes(1000);
    expect((await publish(body, 'dup')).statusCode).toBe(201);
    expect((await publish(body, 'dup')).statusCode).toBe(409);
    expect((await publish(body, '../etc')).statusCode).toBe(400);
    expect((await publish(body, 'op', '1', operator.access_token)).statusCode).toBe(403);
    const manifest = await test.app.inject({
      url: '/api/v1/resources/res_000000000000000000000000/manifest',
      headers: bearer(operator.access_token),
    });
    expect(manifest.statusCode).toBe(404);
  });
});

describe('resources in demo mode', () => {
  it('refuses publishing but allows unlocking', async () => {
    const demo = await startTestApp({ demoReadOnly: true });
    try {
      const session = await login(demo.app, ADMIN_EMAIL, DEV_PASSWORD);
      const refused = await demo.app.inject({
        method: 'POST',
        url: '/api/v1/resources?name=x',
        headers: { ...bearer(session.access_token), 'content-type': 'application/octet-stream' },
        payload: randomBytes(10),
      });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('demo_read_only');
      const unlock = await demo.app.inject({
        method: 'POST',
        url: '/api/v1/resources/res_000000000000000000000000/unlock',
        headers: bearer(session.access_token),
        payload: { machine_id: 'mch_000000000000000000000000' },
      });
      expect(unlock.statusCode).toBe(404); // reached the route: not refused by demo mode
    } finally {
      await demo.close();
    }
  });

  it('enforces FACTORY_MAX_RESOURCE_BYTES on a streamed upload', async () => {
    process.env['FACTORY_MAX_RESOURCE_BYTES'] = '1000';
    let small: TestApp;
    try {
      small = await startTestApp();
    } finally {
      delete process.env['FACTORY_MAX_RESOURCE_BYTES'];
    }
    try {
      const session = await login(small.app, ADMIN_EMAIL, DEV_PASSWORD);
      const response = await small.app.inject({
        method: 'POST',
        url: '/api/v1/resources?name=big',
        headers: { ...bearer(session.access_token), 'content-type': 'application/octet-stream' },
        payload: randomBytes(1001),
      });
      expect(response.statusCode).toBe(413);
      // Nothing of the refused upload is left behind (spool and CDN).
      expect(await fs.readdir(path.join(small.dataDir, 'spool')).catch(() => [])).toEqual([]);
      // Without a Content-Length (chunked, over a real socket), the limit is enforced while counting.
      await small.app.listen({ host: '127.0.0.1', port: 0 });
      const port = (small.app.server.address() as AddressInfo).port;
      const chunkedStatus = await new Promise<number>((resolve, reject) => {
        const request = http.request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/api/v1/resources?name=chunked',
            headers: { ...bearer(session.access_token), 'content-type': 'application/octet-stream' },
          },
          (answer) => {
            answer.resume();
            resolve(answer.statusCode ?? 0);
          },
        );
        request.on('error', reject);
        request.write(randomBytes(600));
        request.end(randomBytes(600));
      });
      expect(chunkedStatus).toBe(413);
      expect(await fs.readdir(path.join(small.dataDir, 'spool')).catch(() => [])).toEqual([]);
      expect(await fs.readdir(path.join(small.dataDir, 'cdn')).catch(() => [])).toEqual([]);
      const ok = await small.app.inject({
        method: 'POST',
        url: '/api/v1/resources?name=fits',
        headers: { ...bearer(session.access_token), 'content-type': 'application/octet-stream' },
        payload: randomBytes(1000),
      });
      expect(ok.statusCode).toBe(201);
    } finally {
      await small.close();
    }
  });
});
