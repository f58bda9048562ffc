/**
 * A machine's public key must be usable: an all-zero or small-order X25519 point gives
 * an all-zero shared secret with every private key, so every later unlock would fail.
 * Activation refuses such a key with 400 and keeps nothing (docs/SECURITY.md §Threat model and tests).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateX25519KeyPair } from '../../../shared/node/crypto/x25519.ts';
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
let admin: Session;

beforeAll(async () => {
  harness = await startTestApp();
  admin = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
});
afterAll(async () => harness.close());

/** Points of small order on Curve25519 (RFC 7748 §6.1 ends with the all-zero check; these are its inputs). */
const SMALL_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
];

const activate = (publicKey: string) =>
  harness.app.inject({
    method: 'POST',
    url: '/api/v1/machines',
    headers: bearer(admin.access_token),
    payload: { hw_hash: randomBytes(48).toString('hex'), public_key: publicKey, label: 'key check' },
  });

describe('activation refuses an unusable X25519 public key', () => {
  it.each(SMALL_ORDER)('refuses %s with 400 and stores no machine', async (hex) => {
    const before = (
      await harness.app.db
        .selectFrom('machines' as 'users')
        .selectAll()
        .execute()
    ).length;
    const response = await activate(Buffer.from(hex, 'hex').toString('base64'));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'validation_failed' } });
    expect(
      (
        await harness.app.db
          .selectFrom('machines' as 'users')
          .selectAll()
          .execute()
      ).length,
    ).toBe(before);
  });

  it('accepts a real key', async () => {
    expect((await activate(generateX25519KeyPair().publicKey.toString('base64'))).statusCode).toBe(201);
  });
});
