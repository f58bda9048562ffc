/**
 * A password typed into the e-mail field must not be kept: a failed sign-in for an
 * account that does not exist is recorded (audit entry and log line) under a keyed hash
 * of what was typed, never the text itself; a real account is still named
 * (docs/SECURITY.md §Threat model and tests).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, startTestApp, type TestApp } from '../helpers.ts';

let harness: TestApp;
const lines: string[] = [];

beforeAll(async () => {
  harness = await startTestApp(
    { logLevel: 'info' },
    { logger: { stream: { write: (line: string) => void lines.push(line) } } },
  );
});
afterAll(async () => harness.close());

const signIn = (email: string) =>
  harness.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password: 'not it at all' },
  });

describe('failed sign-in for an unknown account', () => {
  it('keeps a keyed hash of the typed text, not the text', async () => {
    const typed = 'Tr0ub4dor&3-secret@oops';
    expect((await signIn(typed)).statusCode).toBe(401);
    expect((await signIn(typed)).statusCode).toBe(401);
    expect((await signIn(ADMIN_EMAIL)).statusCode).toBe(401);
    const rows = (
      await sql<{
        actor: string | null;
        type: string;
      }>`select actor, type from audit_entries where type = 'login_failure' order by seq`.execute(
        harness.app.db,
      )
    ).rows;
    const actors = rows.map((row) => row.actor ?? '');
    expect(actors.join('\n').toLowerCase()).not.toContain(typed.toLowerCase());
    expect(lines.join('\n').toLowerCase()).not.toContain(typed.toLowerCase());
    // The same text gives the same hash (failures can still be grouped); a real account is named.
    expect(actors[0]).toMatch(/^unknown:[0-9a-f]{32}$/);
    expect(actors[1]).toBe(actors[0]);
    expect(actors[2]).toBe(ADMIN_EMAIL);
  });
});
