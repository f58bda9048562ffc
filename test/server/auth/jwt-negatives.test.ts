/**
 * Access-token negatives against the real app: every forged or stale token is a 401,
 * and refresh-token reuse revokes the whole session.
 */
import { generateKeyPairSync, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_EMAIL,
  DEV_PASSWORD,
  bearer,
  login,
  startTestApp,
  type Session,
  type TestApp,
} from '../helpers.ts';

let harness: TestApp;
let session: Session;
let jwtKey: Buffer;

beforeAll(async () => {
  harness = await startTestApp();
  session = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
  jwtKey = Buffer.from(
    (await fs.readFile(path.join(harness.dataDir, 'secrets', 'jwt_hs256.key'), 'utf8')).trim(),
    'base64',
  );
});
afterAll(async () => harness.close());

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

/** Signs header.claims with HMAC-SHA-256 under `key`, as an attacker with that key would. */
function hs256(header: Record<string, unknown>, claims: Record<string, unknown>, key: Uint8Array): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

async function status(token: string): Promise<number> {
  const response = await harness.app.inject({
    method: 'GET',
    url: '/api/v1/auth/me',
    headers: bearer(token),
  });
  return response.statusCode;
}

const now = () => Math.floor(Date.now() / 1000);
const header = { alg: 'HS256', typ: 'at+jwt' };

describe('access token verification', () => {
  it('accepts the real token and a correctly forged one with the real key (the harness signs like the server)', async () => {
    expect(await status(session.access_token)).toBe(200);
    expect(await status(hs256(header, claimsOf(session.access_token), jwtKey))).toBe(200);
  });

  it('refuses alg none', async () => {
    const claims = claimsOf(session.access_token);
    expect(await status(`${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims)}.`)).toBe(401);
    expect(await status(`${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims)}`)).toBe(401);
  });

  it('refuses a token MACed with another key', async () => {
    expect(await status(hs256(header, claimsOf(session.access_token), randomBytes(32)))).toBe(401);
  });

  it('refuses HS/EdDSA confusion: an EdDSA token, and HS256 keyed with the server public key', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const claims = claimsOf(session.access_token);
    const eddsa = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt' })
      .sign(privateKey);
    expect(await status(eddsa)).toBe(401);
    expect(await status(hs256(header, claims, harness.app.keys.signing.publicKey))).toBe(401);
  });

  it('refuses missing or past exp, future nbf, future iat', async () => {
    const claims = claimsOf(session.access_token);
    const { exp: _exp, ...noExp } = claims;
    expect(await status(hs256(header, noExp, jwtKey))).toBe(401);
    expect(await status(hs256(header, { ...claims, iat: now() - 2000, exp: now() - 60 }, jwtKey))).toBe(401);
    expect(await status(hs256(header, { ...claims, nbf: now() + 600 }, jwtKey))).toBe(401);
    expect(await status(hs256(header, { ...claims, iat: now() + 600, exp: now() + 900 }, jwtKey))).toBe(401);
  });

  it('refuses a lifetime longer than 15 minutes', async () => {
    const claims = claimsOf(session.access_token);
    expect(await status(hs256(header, { ...claims, iat: now(), exp: now() + 24 * 3600 }, jwtKey))).toBe(401);
  });

  it('refuses wrong iss, aud or typ', async () => {
    const claims = claimsOf(session.access_token);
    expect(await status(hs256(header, { ...claims, iss: 'someone-else' }, jwtKey))).toBe(401);
    expect(await status(hs256(header, { ...claims, aud: 'another-api' }, jwtKey))).toBe(401);
    expect(await status(hs256({ alg: 'HS256', typ: 'JWT' }, claims, jwtKey))).toBe(401);
    expect(await status(hs256({ alg: 'HS256' }, claims, jwtKey))).toBe(401);
  });

  it('refuses crit headers and malformed tokens', async () => {
    const claims = claimsOf(session.access_token);
    expect(await status(hs256({ ...header, crit: ['exp'] }, claims, jwtKey))).toBe(401);
    expect(await status('not.a.token')).toBe(401);
    expect(await status(`${session.access_token}=`)).toBe(401);
  });

  it('refuses a token after logout', async () => {
    const own = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
    expect(await status(own.access_token)).toBe(200);
    const out = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: bearer(own.access_token),
    });
    expect(out.statusCode).toBe(204);
    expect(await status(own.access_token)).toBe(401);
    const refresh = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: own.refresh_token },
    });
    expect(refresh.statusCode).toBe(401);
  });

  it('rotates refresh tokens; reusing an old one revokes the family', async () => {
    const own = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
    const first = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: own.refresh_token },
    });
    expect(first.statusCode).toBe(200);
    const rotated = first.json() as Session;
    expect(rotated.refresh_token).not.toBe(own.refresh_token);
    expect(await status(rotated.access_token)).toBe(200);
    // The thief replays the consumed token: refused, and the whole session dies.
    const reuse = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: own.refresh_token },
    });
    expect(reuse.statusCode).toBe(401);
    expect(await status(rotated.access_token)).toBe(401);
    const next = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: rotated.refresh_token },
    });
    expect(next.statusCode).toBe(401);
    // Other sessions of the same user are untouched.
    expect(await status(session.access_token)).toBe(200);
  });
});
