/**
 * Trust on first use for an https Factory API, through the console's real IPC router
 * and a real TLS server on loopback: nothing is pinned or selectable until the
 * operator confirms the presented fingerprint; the pin then guards every request,
 * a renewed certificate is refused until confirmed again, and a damaged pin file
 * fails closed.
 */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleCore, type ConsoleCore } from '../../../../../electron/core/app/console-core.ts';
import { MemorySettingsStore } from '../../../../../electron/core/domains/settings/settings.store.ts';
import {
  ADMIN_EMAIL,
  DEV_PASSWORD,
  startTestApp,
  tempDir,
  type TestApp,
} from '../../../../server/helpers.ts';

const page = { transport: 'http' as const, url: 'http://127.0.0.1:1' };
let server: TestApp;
let port: number;
let url: string;
let dataDir: string;
let core: ConsoleCore;
let home: string;

/** The fingerprint read independently from the server's own certificate file. */
async function fingerprintOnDisk(serverDataDir: string): Promise<string> {
  const pem = await fs.readFile(path.join(serverDataDir, 'tls', 'self-signed.pem'), 'utf8');
  const block = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/);
  if (!block) throw new Error('no certificate in the server data folder');
  return new X509Certificate(block[0]).fingerprint256;
}

async function startTlsServer(atPort: number): Promise<TestApp> {
  const started = await startTestApp({ tls: 'on' });
  await started.app.listen({ host: '127.0.0.1', port: atPort });
  return started;
}

function call(channel: string, ...args: unknown[]) {
  return core.router.handle(channel, args, page);
}

beforeAll(async () => {
  server = await startTlsServer(0);
  port = (server.app.server.address() as AddressInfo).port;
  url = `https://127.0.0.1:${port}`;
  dataDir = await tempDir('console-trust-');
  // This test activates: its own console home and a fixed fingerprint, given to the core.
  home = path.join(dataDir, 'home');
  const fingerprint = path.join(dataDir, 'fingerprint.json');
  await fs.writeFile(
    fingerprint,
    JSON.stringify({ components: { cpu: 'Trust CPU 9000', memory: '8 GiB', machine_id: 'a1b2c3d4e5f6' } }),
  );
  core = createConsoleCore({
    dataDir,
    home,
    env: { FACTORY_FINGERPRINT_FILE: fingerprint },
    settings: new MemorySettingsStore(),
    shell: 'browser',
    version: '0.0.0-test',
    isTrustedSender: (sender) => sender.url === page.url,
    startEmbedded: async () => {
      throw new Error('the embedded factory is not part of this test');
    },
    statusIntervalMs: 60_000,
  });
  await core.start();
});

afterAll(async () => {
  await core.close();
  await server.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('trust on first use of an https Factory API', () => {
  it('shows the presented fingerprint without trusting it, and refuses to select the server yet', async () => {
    const expected = await fingerprintOnDisk(server.dataDir);
    const inspected = await call('server.inspect', { url });
    expect(inspected).toMatchObject({
      ok: true,
      value: { origin: url, trust: 'new', presented: expected, pinned: null },
    });
    const value = (inspected as { value: { subject: string; validTo: string } }).value;
    expect(value.subject.length).toBeGreaterThan(0);
    expect(Date.parse(value.validTo)).toBeGreaterThan(Date.now());

    const selected = await call('settings.update', { serverUrl: url });
    expect(selected).toMatchObject({ ok: false, error: { code: 'certificate_mismatch' } });
    expect(await call('settings.get')).toMatchObject({ ok: true, value: { serverUrl: null } });
  });

  it('pins nothing when the confirmed fingerprint is not the presented one', async () => {
    const wrong = 'AA:'.repeat(31) + 'AA';
    const result = await call('server.trust', { url, fingerprint256: wrong });
    expect(result).toMatchObject({ ok: false, error: { code: 'certificate_mismatch' } });
    await expect(fs.access(path.join(home, 'known-servers.json'))).rejects.toThrow();
    const malformed = await call('server.trust', { url, fingerprint256: 'not a fingerprint' });
    expect(malformed).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });

  it('pins the confirmed certificate (any common spelling), then signs in through it', async () => {
    const expected = await fingerprintOnDisk(server.dataDir);
    const spelled = `sha256/${expected.replace(/:/g, '').toLowerCase()}`;
    const trusted = await call('server.trust', { url, fingerprint256: spelled });
    expect(trusted).toMatchObject({
      ok: true,
      value: { trust: 'trusted', presented: expected, pinned: expected },
    });
    const file = path.join(home, 'known-servers.json');
    expect((await fs.stat(file)).mode & 0o077).toBe(0);
    expect(JSON.parse(await fs.readFile(file, 'utf8')).servers[url].fingerprint256).toBe(expected);

    expect(await call('settings.update', { serverUrl: url })).toMatchObject({
      ok: true,
      value: { serverUrl: url },
    });
    const login = await call('session.login', { email: ADMIN_EMAIL, password: DEV_PASSWORD });
    expect(login).toMatchObject({ ok: true, value: { signedIn: true, serverUrl: url } });
    expect(await call('status.get')).toMatchObject({ ok: true, value: { reachable: true, tls: 'on' } });
  });

  it('activates with the confirmed certificate pinned, and the locked vault opens with the password alone', async () => {
    const expected = await fingerprintOnDisk(server.dataDir);
    const activated = await call('machine.activate', { label: 'trust-bench', password: DEV_PASSWORD });
    expect(activated).toMatchObject({
      ok: true,
      value: { activated: true, serverUrl: url, serverCertificateFingerprint: expected },
    });
    const record = JSON.parse(await fs.readFile(path.join(home, 'activation.json'), 'utf8'));
    expect(record.certificate.fingerprint256).toBe(expected);
    // The Machine view gets models as they are and ids masked; never the id itself.
    const info = await call('machine.getInfo');
    const components = (info as { value: { components: { name: string; display: string | null }[] } }).value
      .components;
    expect(components.find((component) => component.name === 'machine_id')?.display).toBe('****e5f6');
    expect(components.find((component) => component.name === 'cpu')?.display).toMatch(/trust cpu 9000/i);
    expect(JSON.stringify(info)).not.toContain('a1b2c3d4');

    await call('session.logout');
    expect(await call('vault.getState')).toMatchObject({
      ok: true,
      value: {
        activated: true,
        locked: true,
        email: ADMIN_EMAIL,
        serverUrl: url,
        machineLabel: 'trust-bench',
      },
    });
    expect(await call('vault.unlock', { password: 'not the password' })).toMatchObject({
      ok: false,
      error: { code: 'wrong_password' },
    });
    // Connected to the activation's server: the same password signs in again.
    const unlocked = await call('vault.unlock', { password: DEV_PASSWORD });
    expect(unlocked).toMatchObject({
      ok: true,
      value: { vault: { locked: false }, session: { signedIn: true, email: ADMIN_EMAIL } },
    });
    expect(JSON.stringify(unlocked)).not.toContain(DEV_PASSWORD);
    expect(await call('vault.lock')).toMatchObject({ ok: true, value: { locked: true, locksAt: null } });
  });

  it('refuses a renewed certificate until the operator confirms it again', async () => {
    const before = await fingerprintOnDisk(server.dataDir);
    await server.close();
    server = await startTlsServer(port); // a new data folder: a new self-signed certificate
    const after = await fingerprintOnDisk(server.dataDir);
    expect(after).not.toBe(before);

    expect(await call('server.inspect', { url })).toMatchObject({
      ok: true,
      value: { trust: 'changed', presented: after, pinned: before },
    });
    const refused = await call('session.login', { email: ADMIN_EMAIL, password: DEV_PASSWORD });
    expect(refused).toMatchObject({ ok: false, error: { code: 'certificate_mismatch' } });

    expect(await call('server.trust', { url, fingerprint256: after })).toMatchObject({
      ok: true,
      value: { trust: 'trusted' },
    });
    // The connection in use moved to the new pin: the same sign-in now works.
    const login = await call('session.login', { email: ADMIN_EMAIL, password: DEV_PASSWORD });
    expect(login).toMatchObject({ ok: true, value: { signedIn: true } });
  });

  it('has nothing to pin over plain http, and fails closed when the pin file is damaged', async () => {
    const plain = 'http://127.0.0.1:9';
    expect(await call('server.inspect', { url: plain })).toMatchObject({
      ok: true,
      value: { trust: 'plain_http', presented: null },
    });
    expect(await call('server.trust', { url: plain, fingerprint256: 'AB'.repeat(32) })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });

    await call('settings.update', { serverUrl: null });
    await fs.writeFile(path.join(home, 'known-servers.json'), '{"format":"something else"}');
    expect(await call('server.inspect', { url })).toMatchObject({
      ok: true,
      value: { trust: 'new', pinned: null },
    });
    expect(await call('settings.update', { serverUrl: url })).toMatchObject({
      ok: false,
      error: { code: 'certificate_mismatch' },
    });
  });
});
