import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleCore, type ConsoleCore } from '../../../../electron/core/app/console-core.ts';
import { MemorySettingsStore } from '../../../../electron/core/domains/settings/settings.store.ts';
import type { FactoryStatus, UnlockProgress } from '../../../../shared/common/contract/bridge.ts';
import { listenOnLoopback, startTestApp } from '../../../server/helpers.ts';

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

  it('refuses an address where nothing answers, and keeps the embedded factory running', async () => {
    const embeddedUrl = core.connection.info.serverUrl!;
    const refused = await core.router.handle('settings.update', [{ serverUrl: 'http://127.0.0.1:9' }], page);
    expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect((refused as { error: { message: string } }).error.message).toContain('http://127.0.0.1:9');
    // Nothing was replaced: the setting, the connection and the embedded factory stay.
    expect(await core.router.handle('settings.get', [], page)).toMatchObject({
      ok: true,
      value: { serverUrl: null },
    });
    expect(core.connection.info).toMatchObject({ embedded: true, serverUrl: embeddedUrl });
    expect((await fetch(`${embeddedUrl}/health`)).status).toBe(200);
  });

  it('pushes status changes, and a configured URL replaces the embedded factory', async () => {
    const embeddedUrl = core.connection.info.serverUrl!;
    const other = await startTestApp();
    try {
      const otherUrl = await listenOnLoopback(other.app);
      const changed = await core.router.handle('settings.update', [{ serverUrl: otherUrl }], page);
      expect(changed).toMatchObject({ ok: true, value: { serverUrl: otherUrl } });
      expect(core.connection.info).toMatchObject({ embedded: false, serverUrl: otherUrl });
      await expect(fetch(`${embeddedUrl}/health`)).rejects.toThrow();
      const status = await core.router.handle('status.get', [], page);
      // Reachable, but its status needs a sign-in: nobody is signed in on it.
      expect(status).toMatchObject({
        ok: true,
        value: { reachable: true, embedded: false, mode: 'unknown' },
      });
    } finally {
      await other.close();
    }
    const gone = await core.router.handle('status.get', [], page);
    expect(gone).toMatchObject({ ok: true, value: { reachable: false, embedded: false } });
    expect(pushes.some((push) => JSON.stringify(push).includes('"reachable":false'))).toBe(true);

    const back = await core.router.handle('settings.update', [{ serverUrl: null }], page);
    expect(back).toMatchObject({ ok: true, value: { serverUrl: null } });
    const again = await core.router.handle('status.get', [], page);
    expect(again).toMatchObject({ ok: true, value: { reachable: true, embedded: true, mode: 'demo' } });
    // Started again on the port it had: addresses that were handed out stay valid.
    expect(core.connection.info.serverUrl).toBe(embeddedUrl);
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

describe('the embedded default after a restart', () => {
  it('unlocks, exports and deactivates without activating again, even on another port', async () => {
    const root = await mkdtemp(join(tmpdir(), 'console-restart-'));
    const home = join(root, 'home');
    const fingerprint = join(root, 'fp.json');
    await writeFile(
      fingerprint,
      JSON.stringify({ components: { cpu: 'restart', memory: '8', machine_id: 'r1' } }),
    );
    const options = {
      dataDir: root,
      home,
      env: { FACTORY_FINGERPRINT_FILE: fingerprint },
      settings: new MemorySettingsStore(),
      shell: 'browser' as const,
      version: '0.0.0-test',
      isTrustedSender: () => true,
      statusIntervalMs: 60_000,
    };
    const signIn = async (console: ConsoleCore) => {
      const password = /^password: (.+)$/m.exec(
        await readFile(join(root, 'factory', 'secrets', 'bootstrap_admin.txt'), 'utf8'),
      )?.[1];
      await console.services.session.login({
        email: console.connection.info.adminEmail!,
        password: password!,
      });
      return password!;
    };
    const unlocked = (console: ConsoleCore, resourceId: string) =>
      new Promise<string>((resolve) =>
        console.router.subscribe((channel, payload) => {
          const progress = payload as UnlockProgress;
          if (channel !== 'resources.onUnlockProgress' || progress.resourceId !== resourceId) return;
          if (progress.phase === 'done' || progress.phase === 'failed') resolve(progress.phase);
        }),
      );
    let first: ConsoleCore | undefined = createConsoleCore(options);
    let blocker: Server | undefined;
    let second: ConsoleCore | undefined;
    try {
      await first.start();
      const password = await signIn(first);
      await first.services.machine.activate({ label: 'desk', password });
      const [sample] = await first.services.resources.list();
      expect(sample).toBeDefined();
      const done = unlocked(first, sample!.id);
      await first.services.resources.unlock({ resourceId: sample!.id, password });
      expect(await done).toBe('done');
      const firstUrl = first.connection.info.serverUrl!;
      await first.close();
      first = undefined;

      // Another program took the old port meanwhile: the factory starts on a new one,
      // and the activation (bound to the server's signing key) follows it.
      blocker = createServer();
      await new Promise<void>((resolve) =>
        blocker!.listen(Number(new URL(firstUrl).port), '127.0.0.1', resolve),
      );
      second = createConsoleCore({ ...options, settings: new MemorySettingsStore() });
      await second.start();
      expect(second.connection.info.serverUrl).not.toBe(firstUrl);
      await signIn(second);
      const again = unlocked(second, sample!.id);
      await second.services.resources.unlock({ resourceId: sample!.id, password });
      expect(await again).toBe('done');
      const target = join(root, 'exported.bin');
      const exported = await second.services.resources.exportTo({
        resourceId: sample!.id,
        path: target,
        password,
      });
      expect(exported).toMatchObject({ path: target, audit: 'reported' });
      expect((await second.services.machine.getInfo()).serverUrl).toBe(second.connection.info.serverUrl);
      expect((await second.services.machine.deactivate()).activated).toBe(false);
    } finally {
      await first?.close();
      await second?.close();
      await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
      await rm(root, { recursive: true, force: true });
    }
  }, 120_000);
});
