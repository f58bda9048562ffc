/**
 * A public demo refuses state changes before authentication, CSRF and body checks, so
 * any web page can send them. Every refusal is counted in the metrics; the audit log gets
 * at most one entry per client and minute, carrying how many refusals it stands for
 * (docs/SECURITY.md §Threat model and tests). Before: one entry per refused request.
 */
import fs from 'node:fs/promises';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, DEV_PASSWORD, bearer, login, startTestApp, tempDir, type TestApp } from '../helpers.ts';

interface Refusal {
  ip: string | null;
  resource: string | null;
  request_id: string | null;
  details: { count: number; routes: string[] };
}

async function refusals(harness: TestApp): Promise<Refusal[]> {
  const rows = await sql<{
    ip: string | null;
    resource: string | null;
    request_id: string | null;
    details: string;
  }>`
    select ip, resource, request_id, details from audit_entries where type = 'demo_refusal' order by seq`.execute(
    harness.app.db,
  );
  return rows.rows.map((row) => ({ ...row, details: JSON.parse(row.details) as Refusal['details'] }));
}

let open: TestApp[] = [];
let dirs: string[] = [];
afterEach(async () => {
  for (const harness of open.reverse()) await harness.close();
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
  open = [];
  dirs = [];
});

describe('demo refusals from a hostile page', () => {
  it('60 refused requests from one client: 60 in the metrics, one entry now and one aggregate later', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const harness = await startTestApp({ demoReadOnly: true }, { dataDir });
    // No credentials, no CSRF token, a body that is not JSON: what a cross-site form posts.
    for (let index = 0; index < 60; index += 1) {
      const response = await harness.app.inject({
        method: 'POST',
        url: index % 2 ? '/api/v1/users' : '/api/v1/firewall/rules',
        remoteAddress: '203.0.113.7',
        headers: { 'content-type': 'text/plain' },
        payload: 'x=1',
      });
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ error: { code: 'demo_read_only' } });
    }
    // Another client has its own minute.
    await harness.app.inject({ method: 'DELETE', url: '/api/v1/users/x', remoteAddress: '198.51.100.9' });

    const now = await refusals(harness);
    expect(now).toHaveLength(2);
    expect(now[0]).toMatchObject({ ip: '203.0.113.7', details: { count: 1 } });
    expect(now[1]).toMatchObject({ ip: '198.51.100.9', details: { count: 1 } });

    const admin = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
    const metrics = await harness.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: bearer(admin.access_token),
    });
    expect(metrics.body).toMatch(/^factory_demo_refusals_total 61$/m);

    // The rest of the minute is written as one aggregate (here: when the server stops).
    await harness.app.close();
    const again = await startTestApp({ demoReadOnly: true }, { dataDir });
    open.push(again);
    const later = (await refusals(again)).filter((entry) => entry.ip === '203.0.113.7');
    expect(later).toHaveLength(2);
    expect(later[1]?.details.count).toBe(59);
    expect(later[1]?.request_id).toBeNull();
    expect(new Set(later[1]?.details.routes)).toEqual(
      new Set(['POST /api/v1/users', 'POST /api/v1/firewall/rules']),
    );
    expect(later.reduce((sum, entry) => sum + entry.details.count, 0)).toBe(60);
  });
});
