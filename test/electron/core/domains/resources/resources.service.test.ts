/**
 * The `machine.*` and `resources.*` IPC handlers over the real core: activation as the
 * signed-in account, an unlock job with progress events ending in `done`, the merged
 * resource list, manifest verification, and the refusal to trust an unpinned HTTPS server.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnlockProgress, VaultState } from '../../../../../shared/common/contract/bridge.ts';
import { resourceListResponseSchema } from '../../../../../shared/common/api/resources.ts';
import { ErrorCode } from '../../../../../shared/common/errors.ts';
import { FactoryApiClient } from '../../../../../electron/core/factory-api/factory-api.client.ts';
import { closeContainerOpenPool } from '../../../../../electron/core/domains/resources/open-pool.ts';
import {
  UnlockService,
  unlockHandlers,
} from '../../../../../electron/core/domains/resources/resources.service.ts';
import { VaultLockService } from '../../../../../electron/core/domains/vault/vault.service.ts';
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
let publishedVersion: string;
const body = randomBytes(600_000);

beforeAll(async () => {
  test = await startTestApp();
  url = await listenOnLoopback(test.app);
  const admin = await login(test.app, ADMIN_EMAIL, DEV_PASSWORD);
  const published = await publishResource(test.app, admin, 'manual', body);
  resourceId = published.resource.id;
  publishedVersion = String(published.manifest.manifest.version);
  home = await tempDir('unlock-service-');
  await fs.writeFile(
    path.join(home, 'fp.json'),
    JSON.stringify({ components: { cpu: 'svc', memory: '8', machine_id: 'svc' } }),
  );
});
afterAll(async () => {
  await test.close();
  await fs.rm(home, { recursive: true, force: true });
  await closeContainerOpenPool();
});

describe('unlock IPC handlers', () => {
  it('activates, unlocks in the background with progress, lists and verifies', async () => {
    const client = new FactoryApiClient({ baseUrl: url });
    await client.login(ADMIN_EMAIL, DEV_PASSWORD);
    const events: UnlockProgress[] = [];
    let finished: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finished = resolve));
    const vaultStates: VaultState[] = [];
    const vault = new VaultLockService({
      home,
      env: { FACTORY_FINGERPRINT_FILE: path.join(home, 'fp.json') },
      autoLockMinutes: () => 15,
      strictHardware: () => false,
      emit: (state) => vaultStates.push(state),
      sessionState: async () => ({ signedIn: false, email: null, role: null, serverUrl: null }),
    });
    const service = new UnlockService({
      home,
      env: { FACTORY_FINGERPRINT_FILE: path.join(home, 'fp.json') },
      vault,
      session: async () => ({ serverUrl: url, email: ADMIN_EMAIL }),
      listServer: () => client.send('/api/v1/resources', { schema: resourceListResponseSchema }),
      emit: (progress) => {
        events.push(progress);
        if (progress.phase === 'done' || progress.phase === 'failed') finished();
      },
    });
    const handlers = unlockHandlers(service);
    expect((await handlers.machine.getInfo()).activated).toBe(false);
    const info = await handlers.machine.activate({ label: 'desk', password: DEV_PASSWORD });
    expect(info.activated).toBe(true);
    expect(info.machineId).toMatch(/^mch_/);
    // The new activation's vault starts locked, and the UI is told.
    expect(vaultStates).toEqual([
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
    ]);

    const job = await handlers.resources.unlock({ resourceId, password: DEV_PASSWORD });
    await done;
    expect(events.at(-1)).toMatchObject({ jobId: job.jobId, phase: 'done' });
    expect(events.some((event) => event.phase === 'download' && event.bytes > 0)).toBe(true);
    expect(JSON.stringify(events)).not.toContain(DEV_PASSWORD);
    // In the vault now: the same version, and the lease's end the console shows as days left.
    const [unlocked] = await handlers.resources.list();
    expect(unlocked).toMatchObject({ state: 'unlocked', version: publishedVersion });
    expect(Date.parse(unlocked?.leaseValidUntil ?? '')).toBeGreaterThan(Date.now());
    expect(await handlers.resources.verifyManifest({ resourceId })).toEqual({ valid: true });
    expect(await handlers.resources.cancelUnlock({ jobId: job.jobId })).toEqual({ cancelled: false });
  });

  it('ends a failed unlock with why (code and message), never the password', async () => {
    // The machine activated in the test above; this unlock gives a wrong password.
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const events: UnlockProgress[] = [];
    let finished: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finished = resolve));
    const service = new UnlockService({
      home,
      env: { FACTORY_FINGERPRINT_FILE: path.join(home, 'fp.json') },
      session: async () => ({ serverUrl: url, email: ADMIN_EMAIL }),
      emit: (progress) => {
        events.push(progress);
        if (progress.phase === 'done' || progress.phase === 'failed') finished();
      },
    });
    await service.unlock({ resourceId, password: wrong });
    await done;
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
      const service = new UnlockService({
        home: other,
        session: async () => ({ serverUrl: tlsUrl, email: ADMIN_EMAIL }),
        emit: () => undefined,
      });
      await expect(service.activate({ label: 'x', password: DEV_PASSWORD })).rejects.toMatchObject({
        code: ErrorCode.CertificateMismatch,
      });
      await expect(fs.access(path.join(other, 'activation.json'))).rejects.toThrow();
    } finally {
      await tls.close();
      await fs.rm(other, { recursive: true, force: true });
    }
  });
});
