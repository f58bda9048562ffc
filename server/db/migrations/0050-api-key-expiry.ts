/**
 * Every API key expires (docs/SECURITY.md, API keys): keys made before expiry was required
 * (`expires_at` null) get one, 90 days from this migration — long enough for their owners
 * to rotate them, short enough that a forgotten or stolen key stops by itself. Plain SQL
 * with one bound parameter: the same on SQLite and PostgreSQL.
 */
import { sql, type Kysely, type Migration } from 'kysely';

const GRACE_DAYS = 90;

export const migration0050ApiKeyExpiry: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const expiresAt = new Date(Date.now() + GRACE_DAYS * 86_400_000).toISOString();
    await sql`update api_keys set expires_at = ${expiresAt} where expires_at is null`.execute(db);
  },
};
