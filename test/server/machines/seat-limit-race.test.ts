/**
 * The seat limit under concurrency on a real PostgreSQL server (project `node-pg`): two
 * instances of one deployment on one database, many activations of one account at once
 * through both. The seat count and the insert share one transaction, and every
 * PostgreSQL transaction holds the server's write lock (server/db/database.ts), so
 * exactly the limit succeed and the rest are refused with `seat_limit`. Without the lock
 * (READ COMMITTED alone) both instances count the same free seats and take them twice.
 */
import fs from 'node:fs/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateX25519KeyPair } from '../../../shared/node/crypto/x25519.ts';
import { ADMIN_EMAIL, DEV_PASSWORD, bearer, login, startTestApp, tempDir, type TestApp } from '../helpers.ts';

const LIMIT = 3;
const ATTEMPTS = 40;

describe('the seat limit on PostgreSQL, two instances, concurrent activations', () => {
  let dataDir: string;
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    dataDir = await tempDir();
    first = await startTestApp({}, { dataDir });
    second = await startTestApp({}, { dataDir });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it(`${ATTEMPTS} activations at once: exactly ${LIMIT} take a seat, the rest get seat_limit`, async () => {
    const session = await login(first.app, ADMIN_EMAIL, DEV_PASSWORD);
    const publicKey = generateX25519KeyPair().publicKey.toString('base64');
    const responses = await Promise.all(
      Array.from({ length: ATTEMPTS }, (_, index) =>
        (index % 2 === 0 ? first : second).app.inject({
          method: 'POST',
          url: '/api/v1/machines',
          // Distinct sources: the per-address rate limit is not what this test is about.
          remoteAddress: `198.51.100.${index + 1}`,
          headers: bearer(session.access_token),
          payload: {
            hw_hash: index.toString(16).padStart(96, '0'),
            public_key: publicKey,
            label: `racer ${index}`,
          },
        }),
      ),
    );
    const statuses = responses.map((response) => response.statusCode);
    expect(statuses.filter((status) => status === 201)).toHaveLength(LIMIT);
    const refused = responses.filter((response) => response.statusCode !== 201);
    expect(refused).toHaveLength(ATTEMPTS - LIMIT);
    for (const response of refused) {
      expect(response.json(), response.body).toMatchObject({ error: { code: 'seat_limit' } });
    }
    const live = await sql<{ count: string | number }>`
      select count(*) as count from machines where revoked_at is null`.execute(first.app.db);
    expect(Number(live.rows[0]?.count)).toBe(LIMIT);
    const audited = await sql<{ count: string | number }>`
      select count(*) as count from audit_entries where type = 'machine_activate'`.execute(first.app.db);
    expect(Number(audited.rows[0]?.count)).toBe(LIMIT);
  });
});
