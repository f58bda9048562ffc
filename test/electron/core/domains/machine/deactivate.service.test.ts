/**
 * `machine.deactivate` over the real core and a real Factory API: the pinned server
 * identity in `machine.getInfo`, refusals that leave everything in place (no session,
 * a session on another server), then revocation on the server followed by the removal
 * of the machine key, vault and activation here.
 */
import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { machineListResponseSchema } from '../../../../../shared/common/api/resources.ts';
import { FactoryApiClient } from '../../../../../electron/core/factory-api/factory-api.client.ts';
import { activationPath } from '../../../../../electron/core/domains/machine/activation.store.ts';
import { machineKeyPath } from '../../../../../electron/core/domains/machine/machine-key.ts';
import {
  UnlockService,
  unlockHandlers,
} from '../../../../../electron/core/domains/resources/resources.service.ts';
import {
  ADMIN_EMAIL,
  DEV_PASSWORD,
  startTestApp,
  tempDir,
  type TestApp,
} from '../../../../server/helpers.ts';

let test: TestApp;
let url: string;
let home: string;

beforeAll(async () => {
  test = await startTestApp();
  await test.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(test.app.server.address() as AddressInfo).port}`;
  home = await tempDir('deactivate-service-');
  await fs.writeFile(
    path.join(home, 'fp.json'),
    JSON.stringify({ components: { cpu: 'deact', memory: '8', machine_id: 'deact' } }),
  );
});
afterAll(async () => {
  await test.close();
  await fs.rm(home, { recursive: true, force: true });
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
    let session: { serverUrl: string | null; email: string | null } = { serverUrl: url, email: ADMIN_EMAIL };
    const handlers = unlockHandlers(
      new UnlockService({
        home,
        env: { FACTORY_FINGERPRINT_FILE: path.join(home, 'fp.json') },
        session: async () => session,
        emit: () => undefined,
        deactivateOnServer: (machineId) =>
          client.send(`/api/v1/machines/${encodeURIComponent(machineId)}`, {
            method: 'DELETE',
            schema: z.undefined(),
          }),
      }),
    );
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

    session = { serverUrl: null, email: null };
    await expect(handlers.machine.deactivate()).rejects.toMatchObject({ code: 'unauthenticated' });
    session = { serverUrl: 'http://127.0.0.2:1', email: ADMIN_EMAIL };
    await expect(handlers.machine.deactivate()).rejects.toMatchObject({ code: 'conflict' });
    expect((await handlers.machine.getInfo()).activated).toBe(true);

    session = { serverUrl: url, email: ADMIN_EMAIL };
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
  });
});
