/**
 * An `admin` manages API keys of accounts up to its own rank: a `super_admin`'s keys
 * are neither listed to it nor revocable by it; a super_admin sees and revokes all
 * (docs/SECURITY.md §Threat model and tests).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

let harness: TestApp;
let superAdmin: Session;

beforeAll(async () => {
  harness = await startTestApp();
  superAdmin = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
});
afterAll(async () => harness.close());

async function createKey(session: Session, name: string): Promise<string> {
  const response = await harness.app.inject({
    method: 'POST',
    url: '/api/v1/api-keys',
    headers: bearer(session.access_token),
    payload: { name, scopes: ['audit:read'] },
  });
  expect(response.statusCode).toBe(201);
  return (response.json() as { id: string }).id;
}

const list = async (session: Session) =>
  (
    (
      await harness.app.inject({
        method: 'GET',
        url: '/api/v1/api-keys',
        headers: bearer(session.access_token),
      })
    ).json() as { api_keys: { id: string }[] }
  ).api_keys.map((key) => key.id);

describe('API keys by rank', () => {
  it("an admin can neither list nor revoke a super_admin's key; a super_admin can", async () => {
    const admin = await userWithRole(harness.app, superAdmin, 'admin');
    const topKey = await createKey(superAdmin, 'super key');
    const adminKey = await createKey(admin, 'admin key');
    expect(await list(admin)).toContain(adminKey);
    expect(await list(admin)).not.toContain(topKey);
    const refused = await harness.app.inject({
      method: 'DELETE',
      url: `/api/v1/api-keys/${topKey}`,
      headers: bearer(admin.access_token),
    });
    expect(refused.statusCode).toBe(404);
    expect(await list(superAdmin)).toEqual(expect.arrayContaining([topKey, adminKey]));
    const revoked = await harness.app.inject({
      method: 'DELETE',
      url: `/api/v1/api-keys/${adminKey}`,
      headers: bearer(superAdmin.access_token),
    });
    expect(revoked.statusCode).toBe(204);
    expect(await list(superAdmin)).toContain(topKey);
  });
});
