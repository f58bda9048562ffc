/** `/api/v1/machines`: seat limit, re-activation of the same hardware, ownership, revocation, audit. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCanonical } from '../../../shared/node/crypto/signing.ts';
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

function activate(session: Session, hwHash: string, label = 'line') {
  return test.app.inject({
    method: 'POST',
    url: '/api/v1/machines',
    headers: bearer(session.access_token),
    payload: { hw_hash: hwHash, public_key: generateX25519KeyPair().publicKey.toString('base64'), label },
  });
}

beforeAll(async () => {
  process.env['FACTORY_MAX_MACHINES_PER_USER'] = '2';
  process.env['FACTORY_LEASE_DAYS'] = '7';
  try {
    test = await startTestApp();
  } finally {
    delete process.env['FACTORY_MAX_MACHINES_PER_USER'];
    delete process.env['FACTORY_LEASE_DAYS'];
  }
  admin = await login(test.app, ADMIN_EMAIL, DEV_PASSWORD);
});
afterAll(async () => test.close());

describe('machines', () => {
  it('enforces the seat limit; the same hardware re-activates without a second seat; revoking frees one', async () => {
    const operator = await userWithRole(test.app, admin, 'operator');
    const first = randomBytes(48).toString('hex');
    const one = await activate(operator, first);
    expect(one.statusCode).toBe(201);
    const body = one.json();
    expect(
      verifyCanonical(Buffer.from(body.server_key, 'base64'), body.lease.lease, body.lease.signature),
    ).toBe(true);
    const days =
      (Date.parse(body.lease.lease.valid_until) - Date.parse(body.lease.lease.issued_at)) / 86_400_000;
    expect(days).toBe(7);
    expect(JSON.stringify(body)).not.toContain(first);

    const again = await activate(operator, first);
    expect(again.statusCode).toBe(200);
    expect(again.json().machine_id).toBe(body.machine_id);
    expect((await activate(operator, randomBytes(48).toString('hex'))).statusCode).toBe(201);
    const third = await activate(operator, randomBytes(48).toString('hex'));
    expect(third.statusCode).toBe(409);
    expect(third.json().error.code).toBe('seat_limit');

    const list = await test.app.inject({ url: '/api/v1/machines', headers: bearer(operator.access_token) });
    expect(list.json().machines).toHaveLength(2);
    expect(list.body).not.toContain('hw_hash');

    const other = await userWithRole(test.app, admin, 'operator');
    const foreign = await test.app.inject({
      method: 'DELETE',
      url: `/api/v1/machines/${body.machine_id}`,
      headers: bearer(other.access_token),
    });
    expect(foreign.statusCode).toBe(403);
    const own = await test.app.inject({
      method: 'DELETE',
      url: `/api/v1/machines/${body.machine_id}`,
      headers: bearer(operator.access_token),
    });
    expect(own.statusCode).toBe(204);
    expect((await activate(operator, randomBytes(48).toString('hex'))).statusCode).toBe(201);
  });

  it('validates input and requires machines:activate', async () => {
    const viewer = await userWithRole(test.app, admin, 'viewer');
    expect((await activate(viewer, randomBytes(48).toString('hex'))).statusCode).toBe(403);
    const operator = await userWithRole(test.app, admin, 'operator');
    expect((await activate(operator, 'not-hex')).statusCode).toBe(400);
    const badKey = await test.app.inject({
      method: 'POST',
      url: '/api/v1/machines',
      headers: bearer(operator.access_token),
      payload: { hw_hash: randomBytes(48).toString('hex'), public_key: 'AAAA', label: 'x' },
    });
    expect(badKey.statusCode).toBe(400);
  });
});
