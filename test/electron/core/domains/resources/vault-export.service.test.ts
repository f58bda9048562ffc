/**
 * `resources.exportTo` over the real core and a real Factory API: a vault item exported
 * to a new file holds exactly the published bytes (mode 0600) and is audited on the
 * server; a second export to the same path, a relative path and a wrong password are
 * refused and leave the file as it was; with the server gone the export still works
 * and its audit event is queued.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnlockProgress } from '../../../../../shared/common/contract/bridge.ts';
import { startCore } from '../../core-fixture.ts';
import { withAuditTables } from '../../../../../server/audit/audit.tables.ts';
import { queuedExports } from '../../../../../electron/core/domains/resources/export-queue.ts';
import { closeContainerOpenPool } from '../../../../../electron/core/domains/resources/open-pool.ts';
import {
  ADMIN_EMAIL,
  bearer,
  DEV_PASSWORD,
  listenOnLoopback,
  login,
  publishResource,
  startTestApp,
  tempDir,
  type TestApp,
} from '../../../../server/helpers.ts';

let test: TestApp;
let url: string;
let home: string;
let out: string;
let resourceId: string;
let serverClosed = false;
const body = randomBytes(700_001);

beforeAll(async () => {
  test = await startTestApp();
  url = await listenOnLoopback(test.app);
  const admin = await login(test.app, ADMIN_EMAIL, DEV_PASSWORD);
  resourceId = (await publishResource(test.app, admin, 'manual', body)).resource.id;
  home = await tempDir('vault-export-');
  out = await tempDir('vault-export-out-');
});
afterAll(async () => {
  if (!serverClosed) await test.close();
  await fs.rm(home, { recursive: true, force: true });
  await fs.rm(out, { recursive: true, force: true });
  await closeContainerOpenPool();
});

describe('resources.exportTo', () => {
  it('exports the published bytes once per path, audited online and queued offline', async () => {
    const fixture = await startCore({ serverUrl: url, home });
    const handlers = fixture.services;
    const done = new Promise<string>((resolve) =>
      fixture.core.router.subscribe((channel, payload) => {
        const progress = payload as UnlockProgress;
        if (
          channel === 'resources.onUnlockProgress' &&
          (progress.phase === 'done' || progress.phase === 'failed')
        )
          resolve(progress.phase);
      }),
    );
    await handlers.session.login({ email: ADMIN_EMAIL, password: DEV_PASSWORD });
    await handlers.machine.activate({ label: 'desk', password: DEV_PASSWORD });
    const target = path.join(out, 'manual.bin');
    // Not in the vault yet: refused with what to do.
    await expect(
      handlers.resources.exportTo({ resourceId, path: target, password: DEV_PASSWORD }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await handlers.resources.unlock({ resourceId, password: DEV_PASSWORD });
    expect(await done).toBe('done');

    const result = await handlers.resources.exportTo({ resourceId, path: target, password: DEV_PASSWORD });
    expect(result).toEqual({ path: target, bytes: body.length, audit: 'reported' });
    expect((await fs.readFile(target)).equals(body)).toBe(true);
    expect((await fs.stat(target)).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(result)).not.toContain(DEV_PASSWORD);
    expect(await queuedExports(home)).toEqual([]);
    const admin = await login(test.app, ADMIN_EMAIL, DEV_PASSWORD);
    const audited = await test.app.inject({
      method: 'GET',
      url: '/api/v1/audit?type=resource_export',
      headers: bearer(admin.access_token),
    });
    expect(audited.statusCode).toBe(200);
    expect(audited.body).toContain(`resource/${resourceId}`);
    // Reported through the session: the export password opened the machine key and signed nothing in.
    const signIns = await withAuditTables(test.app.db)
      .selectFrom('audit_entries')
      .select('type')
      .where('type', 'in', ['login_success', 'login_failure'])
      .execute();
    // The publisher's sign-in, the operator's one, and this test's admin check: none by the export.
    expect(signIns).toHaveLength(3);
    // No staging files are left beside the export.
    expect(await fs.readdir(out)).toEqual(['manual.bin']);

    await fs.writeFile(target, 'operator notes');
    await expect(
      handlers.resources.exportTo({ resourceId, path: target, password: DEV_PASSWORD }),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(await fs.readFile(target, 'utf8')).toBe('operator notes');
    await expect(
      handlers.resources.exportTo({ resourceId, path: 'relative.bin', password: DEV_PASSWORD }),
    ).rejects.toMatchObject({ code: 'bad_request' });
    const second = path.join(out, 'second.bin');
    await expect(
      handlers.resources.exportTo({ resourceId, path: second, password: 'not the password' }),
    ).rejects.toBeDefined();
    expect(await fs.readdir(out)).toEqual(['manual.bin']);

    await test.close();
    serverClosed = true;
    const offline = await handlers.resources.exportTo({ resourceId, path: second, password: DEV_PASSWORD });
    expect(offline).toEqual({ path: second, bytes: body.length, audit: 'queued' });
    expect((await fs.readFile(second)).equals(body)).toBe(true);
    expect(await queuedExports(home)).toMatchObject([{ resource_id: resourceId }]);
    await fixture.close();
  }, 60_000);
});
