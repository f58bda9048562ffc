import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleCore, type ConsoleCore } from '../../../../electron/core/app/console-core.ts';
import { MemorySettingsStore } from '../../../../electron/core/domains/settings/settings.store.ts';
import type { FactoryStatus } from '../../../../shared/common/contract/bridge.ts';

const page = { transport: 'http' as const, url: 'http://127.0.0.1:1' };
let folder: string;
let core: ConsoleCore;
const pushes: unknown[] = [];

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'console-embedded-'));
  core = createConsoleCore({
    dataDir: folder,
    settings: new MemorySettingsStore(),
    shell: 'browser',
    version: '0.0.0-test',
    isTrustedSender: (sender) => sender.url === page.url,
    statusIntervalMs: 200,
  });
  core.router.subscribe((channel, payload) => pushes.push([channel, payload]));
  await core.start();
});

afterAll(async () => {
  await core?.close();
  await rm(folder, { recursive: true, force: true });
});

describe('the embedded default', () => {
  it('starts a local Factory API on loopback with its data under the console folder', async () => {
    const info = core.connection.info;
    expect(info.embedded).toBe(true);
    expect(info.serverUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.adminEmail).toContain('@');
    const dataDir = await stat(join(folder, 'factory'));
    expect(dataDir.isDirectory()).toBe(true);
    expect(dataDir.mode & 0o077).toBe(0);
  });

  it("shows the embedded factory's own status: local, demo, with a posture checklist", async () => {
    const result = await core.router.handle('status.get', [], page);
    expect(result.ok).toBe(true);
    const status = (result as { value: FactoryStatus }).value;
    expect(status).toMatchObject({
      reachable: true,
      embedded: true,
      mode: 'demo',
      publicDemo: true,
      problem: null,
    });
    expect(status.posture.length).toBeGreaterThan(0);
    const password = /^password: (.+)$/m.exec(
      await readFile(join(folder, 'factory', 'secrets', 'bootstrap_admin.txt'), 'utf8'),
    )?.[1];
    expect(password?.length).toBeGreaterThan(8);
    expect(JSON.stringify(status)).not.toContain(password);
    expect(JSON.stringify(status)).not.toMatch(/access_token|Bearer/);
  });

  it('tells the UI the admin account but never its password', async () => {
    const result = await core.router.handle('app.info', [], page);
    expect(result).toMatchObject({
      ok: true,
      value: { shell: 'browser', embeddedAdminEmail: expect.any(String) },
    });
    const password = /^password: (.+)$/m.exec(
      await readFile(join(folder, 'factory', 'secrets', 'bootstrap_admin.txt'), 'utf8'),
    )?.[1];
    expect(JSON.stringify(result)).not.toContain(password);
    const session = await core.router.handle('session.getState', [], page);
    expect(session).toMatchObject({ ok: true, value: { signedIn: false } });
  });

  it('pushes status changes, and a configured URL replaces the embedded factory', async () => {
    const embeddedUrl = core.connection.info.serverUrl!;
    const changed = await core.router.handle('settings.update', [{ serverUrl: 'http://127.0.0.1:9' }], page);
    expect(changed).toMatchObject({ ok: true, value: { serverUrl: 'http://127.0.0.1:9' } });
    expect(core.connection.info).toMatchObject({ embedded: false, serverUrl: 'http://127.0.0.1:9' });
    await expect(fetch(`${embeddedUrl}/health`)).rejects.toThrow();
    const status = await core.router.handle('status.get', [], page);
    expect(status).toMatchObject({ ok: true, value: { reachable: false, embedded: false, mode: 'unknown' } });
    expect(pushes.some((push) => JSON.stringify(push).includes('"reachable":false'))).toBe(true);

    const back = await core.router.handle('settings.update', [{ serverUrl: null }], page);
    expect(back).toMatchObject({ ok: true, value: { serverUrl: null } });
    const again = await core.router.handle('status.get', [], page);
    expect(again).toMatchObject({ ok: true, value: { reachable: true, embedded: true, mode: 'demo' } });
  });
});

describe('an embedded factory that cannot start', () => {
  it('still lets the console open, and status says why', async () => {
    const broken = createConsoleCore({
      dataDir: folder,
      settings: new MemorySettingsStore(),
      shell: 'browser',
      version: '0.0.0-test',
      isTrustedSender: () => true,
      startEmbedded: async () => {
        throw new Error('port exhausted');
      },
    });
    await broken.start();
    try {
      const status = await broken.router.handle('status.get', [], page);
      expect(status).toMatchObject({
        ok: true,
        value: { reachable: false, embedded: false, problem: expect.stringContaining('port exhausted') },
      });
      const session = await broken.router.handle('session.login', [{ email: 'a@b', password: 'x' }], page);
      expect(session).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    } finally {
      await broken.close();
    }
  });
});
