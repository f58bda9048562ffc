/**
 * `machine.*` and `resources.*` over the real core (the services the router calls, as
 * `createConsoleCore` composes them) and a real Factory API: activation as the
 * signed-in account, an unlock job with progress events ending in `done`, the merged
 * resource list, manifest verification (locked and unlocked), and the refusal to use
 * an unpinned HTTPS server. Unlocks use the session: the password opens the machine
 * key only, and never signs in again.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnlockProgress, VaultState } from '../../../../../shared/common/contract/bridge.ts';
import { withAuditTables } from '../../../../../server/audit/audit.tables.ts';
import { ErrorCode } from '../../../../../shared/common/errors.ts';
import { closeContainerOpenPool } from '../../../../../electron/core/domains/resources/open-pool.ts';
import { startCore } from '../../core-fixture.ts';
import {
  ADMIN_EMAIL,
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
let resourceId: string;
let secondId: string;
let publishedVersion: string;
const body = randomBytes(600_000);
/** Sign-ins the server recorded, successful or not (each counts towards the account's lock-out). */
async function signIns(): Promise<number> {
  const rows = await withAuditTables(test.app.db)
    .selectFrom('audit_entries')
    .select('type')
    .where('type', 'in', ['login_success', 'login_failure'])
    .execute();
  return rows.length;
}

beforeAll(async () => {
  test = await startTestApp();
  url = await listenOnLoopback(test.app);
  const admin = await login(test.app, ADMIN_EMAIL, DEV_PASSWORD);
  const published = await publishResource(test.app, admin, 'manual', body);
  resourceId = published.resource.id;
  publishedVersion = String(published.manifest.manifest.version);
  secondId = (await publishResource(test.app, admin, 'second', randomBytes(1000))).resource.id;
  home = await tempDir('unlock-service-');
});
afterAll(async () => {
  await test.close();
  await fs.rm(home, { recursive: true, force: true });
  await closeContainerOpenPool();
});

function finishedJob(fixture: Awaited<ReturnType<typeof startCore>>, jobId: string) {
  return new Promise<UnlockProgress>((resolve) => {
    const timer = setInterval(() => {
      const last = fixture
        .payloadsOf<UnlockProgress>('resources.onUnlockProgress')
        .filter((event) => event.jobId === jobId)
        .at(-1);
      if (last && (last.phase === 'done' || last.phase === 'failed')) {
        clearInterval(timer);
        resolve(last);
      }
    }, 20);
  });
}

describe('unlock IPC handlers', () => {
  it('activates, unlocks in the background with progress, lists and verifies', async () => {
    const fixture = await startCore({ serverUrl: url, home });
    const handlers = fixture.services;
    await handlers.session.login({ email: ADMIN_EMAIL, password: DEV_PASSWORD });
    expect((await handlers.machine.getInfo()).activated).toBe(false);
    const info = await handlers.machine.activate({ label: 'desk', password: DEV_PASSWORD });
    expect(info.activated).toBe(true);
    expect(info.machineId).toMatch(/^mch_/);
    // The new activation's vault starts locked, and the UI is told.
    expect(fixture.payloadsOf<VaultState>('vault.onChange')).toEqual([
      expect.objectContaining({ activated: true, locked: true, email: ADMIN_EMAIL }),
    ]);
    expect(await handlers.resources.list()).toEqual([
      {
        id: resourceId,
        name: 'manual',
        version: publishedVersion,
        size: body.length,
        state: 'locked',
        leaseValidUntil: null,
      },
      expect.objectContaining({ id: secondId, state: 'locked' }),
    ]);
    // A locked resource's manifest is checked through the signed-in session (it used to
    // open a connection of its own that never signed in: unauthenticated).
    expect(await handlers.resources.verifyManifest({ resourceId: secondId })).toEqual({ valid: true });

    const signInsBefore = await signIns();
    const job = await handlers.resources.unlock({ resourceId, password: DEV_PASSWORD });
    expect(await finishedJob(fixture, job.jobId)).toMatchObject({ phase: 'done' });
    const events = fixture.payloadsOf<UnlockProgress>('resources.onUnlockProgress');
    // The unlock used the session: the password opened the machine key, nothing signed in again.
    expect(await signIns()).toBe(signInsBefore);
    expect(events.some((event) => event.phase === 'download' && event.bytes > 0)).toBe(true);
    expect(JSON.stringify(events)).not.toContain(DEV_PASSWORD);
    // In the vault now: the same version, and the lease's end the console shows as days left.
    const unlocked = (await handlers.resources.list()).find((row) => row.id === resourceId);
    expect(unlocked).toMatchObject({ state: 'unlocked', version: publishedVersion });
    expect(Date.parse(unlocked?.leaseValidUntil ?? '')).toBeGreaterThan(Date.now());
    expect(await handlers.resources.verifyManifest({ resourceId })).toEqual({ valid: true });
    expect(await handlers.resources.cancelUnlock({ jobId: job.jobId })).toEqual({ cancelled: false });

    // A wrong unlock password is refused by the machine key, offline: it never reaches the server.
    const wrong = await handlers.resources.unlock({ resourceId: secondId, password: 'not the password' });
    expect(await finishedJob(fixture, wrong.jobId)).toMatchObject({ phase: 'failed' });
    expect(await signIns()).toBe(signInsBefore);

    // Signed out: unlocking and checking a locked manifest say to sign in, before anything starts.
    await handlers.session.logout();
    await expect(
      handlers.resources.unlock({ resourceId: secondId, password: DEV_PASSWORD }),
    ).rejects.toMatchObject({
      code: ErrorCode.Unauthenticated,
    });
    await expect(handlers.resources.verifyManifest({ resourceId: secondId })).rejects.toMatchObject({
      code: ErrorCode.Unauthenticated,
    });
    // What is in the vault still verifies offline.
    expect(await handlers.resources.verifyManifest({ resourceId })).toEqual({ valid: true });
    await fixture.close();
  });

  it('ends a failed unlock with why (code and message), never the password', async () => {
    // The machine activated in the test above; this unlock gives a wrong password.
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const fixture = await startCore({ serverUrl: url, home });
    await fixture.services.session.login({ email: ADMIN_EMAIL, password: DEV_PASSWORD });
    const job = await fixture.services.resources.unlock({ resourceId, password: wrong });
    await finishedJob(fixture, job.jobId);
    await fixture.close();
    const events = fixture
      .payloadsOf<UnlockProgress>('resources.onUnlockProgress')
      .filter((event) => event.jobId === job.jobId);
    const last = events.at(-1);
    expect(last?.phase).toBe('failed');
    // The account's sign-in or the machine key refuses it: either way a password code.
    expect(last?.error?.code).toMatch(/^(unauthenticated|wrong_password)$/);
    expect(last?.error?.message).toMatch(/password/i);
    expect(events.slice(0, -1).every((event) => event.error === undefined)).toBe(true);
    expect(JSON.stringify(events)).not.toContain(wrong);
  });

  it('does not trust an HTTPS server whose certificate nobody confirmed', async () => {
    const other = await tempDir('unlock-service-tls-');
    const tls = await startTestApp({ tls: 'on' });
    try {
      await tls.app.listen({ host: '127.0.0.1', port: 0 });
      const tlsUrl = `https://127.0.0.1:${(tls.app.server.address() as AddressInfo).port}`;
      const fixture = await startCore({ serverUrl: null, home: other });
      try {
        // Not selectable before its certificate is confirmed, so nothing can sign in to it or activate.
        await expect(fixture.services.settings.update({ serverUrl: tlsUrl })).rejects.toMatchObject({
          code: ErrorCode.CertificateMismatch,
        });
        await expect(
          fixture.services.machine.activate({ label: 'x', password: DEV_PASSWORD }),
        ).rejects.toMatchObject({ code: ErrorCode.Unauthenticated });
        await expect(fs.access(`${other}/activation.json`)).rejects.toThrow();
      } finally {
        await fixture.close();
      }
    } finally {
      await tls.close();
      await fs.rm(other, { recursive: true, force: true });
    }
  });
});
