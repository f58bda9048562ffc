/**
 * `GET /api/v1/machines/server-identity`: the server proves it holds its signing key by
 * signing the console's fresh challenge. Checked with Node's own Ed25519 verifier (not
 * our signing helper) over the canonical JSON the route documents; a bad challenge is a
 * 400, no credential a 401, and the key is the one activation pins.
 */
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_EMAIL,
  bearer,
  DEV_PASSWORD,
  login,
  startTestApp,
  type Session,
  type TestApp,
} from '../helpers.ts';

let test: TestApp;
let admin: Session;

beforeAll(async () => {
  test = await startTestApp();
  admin = await login(test.app, ADMIN_EMAIL, DEV_PASSWORD);
});
afterAll(async () => {
  await test.close();
});

/** The raw 32-byte Ed25519 key as a Node KeyObject (SPKI prefix of RFC 8410). */
function ed25519(raw: Buffer) {
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]);
  return createPublicKey({ key: spki, format: 'der', type: 'spki' });
}

describe('server identity', () => {
  it('signs the fresh challenge with the key activation pins', async () => {
    const nonce = randomBytes(32).toString('base64url');
    const response = await test.app.inject({
      url: `/api/v1/machines/server-identity?nonce=${nonce}`,
      headers: bearer(admin.access_token),
    });
    expect(response.statusCode).toBe(200);
    const body = response.json() as { server_key: string; key_id: string; signature: string };
    expect(Buffer.from(body.server_key, 'base64').equals(test.app.keys.signing.publicKey)).toBe(true);
    const message = Buffer.from(`{"nonce":"${nonce}","purpose":"factory-api/server-identity/v1"}`, 'utf8');
    const key = ed25519(Buffer.from(body.server_key, 'base64'));
    expect(verify(null, message, key, Buffer.from(body.signature, 'base64'))).toBe(true);
    // Bound to this challenge: it does not verify for another one.
    const other = Buffer.from(message.toString().replace(nonce, randomBytes(32).toString('base64url')));
    expect(verify(null, other, key, Buffer.from(body.signature, 'base64'))).toBe(false);
  });

  it('refuses a malformed challenge and an anonymous caller', async () => {
    for (const nonce of ['', 'short', `${'A'.repeat(43)}=`, 'A'.repeat(44)]) {
      const response = await test.app.inject({
        url: `/api/v1/machines/server-identity?nonce=${encodeURIComponent(nonce)}`,
        headers: bearer(admin.access_token),
      });
      expect(response.statusCode, nonce).toBe(400);
    }
    const anonymous = await test.app.inject({
      url: `/api/v1/machines/server-identity?nonce=${randomBytes(32).toString('base64url')}`,
    });
    expect(anonymous.statusCode).toBe(401);
  });
});
