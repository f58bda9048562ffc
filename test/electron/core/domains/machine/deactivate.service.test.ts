/**
 * `machine.deactivate` over the real core and a real Factory API: the pinned server
 * identity in `machine.getInfo`, refusals that leave everything in place (no session,
 * a session on another server), the same server at a new address (its signing key
 * proves it: the activation follows it), then revocation on the server followed by the
 * removal of the machine key, vault and activation here.
 */
import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { machineListResponseSchema } from '../../../../../shared/common/api/resources.ts';
import { FactoryApiClient } from '../../../../../electron/core/factory-api/factory-api.client.ts';
import { activationPath } from '../../../../../electron/core/domains/machine/activation.store.ts';
import { machineKeyPath } from '../../../../../electron/core/domains/machine/machine-key.ts';
import { startCore } from '../../core-fixture.ts';
import {
  ADMIN_EMAIL,
  DEV_PASSWORD,
  listenOnLoopback,
  startTestApp,
  tempDir,
  type TestApp,
} from '../../../../server/helpers.ts';

let serverData: string;
let test: TestApp;
let url: string;
let home: string;

beforeAll(async () => {
  serverData = await tempDir('deactivate-server-');
  test = await startTestApp({}, { dataDir: serverData });
  url = await listenOnLoopback(test.app);
  home = await tempDir('deactivate-service-');
});
afterAll(async () => {
  await test.close();
  await fs.rm(home, { recursive: true, force: true });
  await fs.rm(serverData, { recursive: true, force: true });
});

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}

describe('machine.deactivate', () => {
  it('revokes on the server, then removes the local key and activation', async () => {
    const client = new FactoryApiClient({ baseUrl: url });
    await client.login(ADMIN_EMAIL, DEV_PASSWORD);
    const fixture = await startCore({ serverUrl: url, home });
    const handlers = fixture.services;
    await handlers.session.login({ email: ADMIN_EMAIL, password: DEV_PASSWORD });
    await expect(handlers.machine.deactivate()).rejects.toMatchObject({ code: 'not_activated' });

    const info = await handlers.machine.activate({ label: 'desk', password: DEV_PASSWORD });
    const record = JSON.parse(await fs.readFile(activationPath(home), 'utf8')) as {
      key_id: string;
      server_key: string;
    };
    expect(info.serverUrl).toBe(url);
    expect(info.serverKeyId).toBe(record.key_id);
    expect(info.serverKeyId?.length).toBeGreaterThan(0);
    expect(info.serverCertificateFingerprint).toBeNull(); // plain HTTP: no certificate to pin
    // Only public identifiers leave the main side, not the pinned key itself.
    expect(JSON.stringify(await handlers.machine.getInfo())).not.toContain(record.server_key);
    expect(await exists(machineKeyPath(home))).toBe(true);

    const listed = await client.send('/api/v1/machines', { schema: machineListResponseSchema });
    expect(listed.machines.find((machine) => machine.id === info.machineId)?.revoked_at).toBeNull();

    await handlers.session.logout();
    await expect(handlers.machine.deactivate()).rejects.toMatchObject({ code: 'unauthenticated' });

    // Another Factory API (its own signing key): refused, nothing changes.
    const other = await startTestApp();
    try {
      const otherUrl = await listenOnLoopback(other.app);
      await handlers.settings.update({ serverUrl: otherUrl });
      await handlers.session.login({ email: ADMIN_EMAIL, password: DEV_PASSWORD });
      await expect(handlers.machine.deactivate()).rejects.toMatchObject({ code: 'conflict' });
      expect((await handlers.machine.getInfo()).activated).toBe(true);
      expect((await handlers.machine.getInfo()).serverUrl).toBe(url);
    } finally {
      await handlers.settings.update({ serverUrl: url });
      await other.close();
    }

    await handlers.session.login({ email: ADMIN_EMAIL, password: DEV_PASSWORD });
    const after = await handlers.machine.deactivate();
    expect(after).toMatchObject({
      activated: false,
      machineId: null,
      serverUrl: null,
      serverCertificateFingerprint: null,
      serverKeyId: null,
    });
    expect(await exists(activationPath(home))).toBe(false);
    expect(await exists(machineKeyPath(home))).toBe(false);
    const machines = await client.send('/api/v1/machines', { schema: machineListResponseSchema });
    const revoked = machines.machines.find((machine) => machine.id === info.machineId);
    expect(revoked).toBeDefined();
    expect(revoked?.revoked_at).not.toBeNull();
    await expect(handlers.machine.deactivate()).rejects.toMatchObject({ code: 'not_activated' });
    await fixture.close();
  });

  it('follows the same server to a new address (its signing key proves it), then deactivates', async () => {
    const movedHome = await tempDir('deactivate-moved-');
    const fixture = await startCore({ serverUrl: url, home: movedHome });
    let moved: TestApp | undefined;
    try {
      await fixture.services.session.login({ email: ADMIN_EMAIL, password: DEV_PASSWORD });
      const info = await fixture.services.machine.activate({ label: 'desk', password: DEV_PASSWORD });
      // The same server (same data folder, same keys) restarted on another port, as the
      // embedded factory is after a restart; the old address answers nothing any more.
      await test.close();
      moved = await startTestApp({}, { dataDir: serverData });
      const movedUrl = await listenOnLoopback(moved.app);
      expect(movedUrl).not.toBe(url);
      await fixture.services.settings.update({ serverUrl: movedUrl });
      await fixture.services.session.login({ email: ADMIN_EMAIL, password: DEV_PASSWORD });
      const after = await fixture.services.machine.deactivate();
      expect(after.activated).toBe(false);
      const client = new FactoryApiClient({ baseUrl: movedUrl });
      await client.login(ADMIN_EMAIL, DEV_PASSWORD);
      const machines = await client.send('/api/v1/machines', { schema: machineListResponseSchema });
      expect(machines.machines.find((machine) => machine.id === info.machineId)?.revoked_at).not.toBeNull();
    } finally {
      await fixture.close();
      await fs.rm(movedHome, { recursive: true, force: true });
      // Leave a server for afterAll to close.
      if (moved) test = moved;
    }
  });
});
