/**
 * The vault's lock over the real core and a real Factory API (TLS, loopback, pinned
 * certificate): locked by default; a wrong password keeps it locked; the password opens
 * it offline for a password-less export of the published bytes; it locks itself when
 * idle, on `lock()` (key zeroed) and when the activation goes away; strict hardware
 * refuses one changed component; the best-effort sign-in never fails the unlock.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SessionState, VaultState } from '../../../../../shared/common/contract/bridge.ts';
import { ErrorCode } from '../../../../../shared/common/errors.ts';
import { activateMachine } from '../../../../../electron/core/domains/machine/activation.ts';
import { MachineService } from '../../../../../electron/core/domains/machine/machine.service.ts';
import type { CertificatePin } from '../../../../../electron/core/factory-api/pinned-transport.ts';
import { FactoryConnection } from '../../../../../electron/core/factory-api/factory-connection.ts';
import { removeLocalActivation } from '../../../../../electron/core/domains/vault/local-deactivation.ts';
import {
  activationPath,
  requireActivation,
  writeActivation,
} from '../../../../../electron/core/domains/machine/activation.store.ts';
import { queuedExports } from '../../../../../electron/core/domains/resources/export-queue.ts';
import { closeContainerOpenPool } from '../../../../../electron/core/domains/resources/open-pool.ts';
import { unlockResource } from '../../../../../electron/core/domains/resources/unlock.pipeline.ts';
import { ResourcesService } from '../../../../../electron/core/domains/resources/resources.service.ts';
import {
  VaultLockService,
  type VaultLockDeps,
} from '../../../../../electron/core/domains/vault/vault.service.ts';
import { ADMIN_EMAIL, DEV_PASSWORD, bearer, login } from '../../../../server/helpers.ts';
import { BASE_COMPONENTS, startUnlockFixture, type UnlockFixture } from '../../../../e2e/unlock-fixture.ts';

/** The machine key's scrypt at its minimum cost: these tests are about the lock, not the KDF. */
const FAST_KEY = { N: 2 ** 14, r: 8, p: 1 };
const LOGGED_OUT: SessionState = { signedIn: false, email: null, role: null, serverUrl: null };
const body = randomBytes(300_003);

let fixture: UnlockFixture;
let home: string;
let out: string;
let fingerprintFile: string;
let env: Record<string, string>;
let resourceId: string;
let password: string;
/** The server certificate pinned at activation (what the console's trust store would hold). */
let pin: CertificatePin | undefined;

function vault(overrides: Partial<VaultLockDeps> = {}) {
  const emitted: VaultState[] = [];
  const service = new VaultLockService({
    home,
    env,
    autoLockMinutes: () => 15,
    strictHardware: () => false,
    emit: (state) => emitted.push(state),
    sessionState: async () => LOGGED_OUT,
    ...overrides,
  });
  return { service, emitted, handlers: service };
}

/** A connection to the fixture's server, pinned to the certificate of the activation (not connected until asked). */
function serverConnection(): FactoryConnection {
  return new FactoryConnection({
    startEmbedded: () => Promise.reject(new Error('not in this test')),
    trust: { pinFor: () => pin },
  });
}

/**
 * The console's resources service, exporting through `service`'s key when no password
 * is given, and reporting through `connection`'s session when one is signed in.
 */
function resources(service: VaultLockService, connection: FactoryConnection = serverConnection()) {
  return new ResourcesService({
    home,
    env,
    connection,
    trust: { pinFor: () => undefined },
    emit: () => undefined,
    vault: service,
    strictHardware: () => false,
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  fixture = await startUnlockFixture();
  home = await fixture.home('vault-lock');
  out = path.join(fixture.root, 'exports');
  await fs.mkdir(out);
  fingerprintFile = await fixture.fingerprint('vault-lock', BASE_COMPONENTS);
  env = { FACTORY_FINGERPRINT_FILE: fingerprintFile };
  password = fixture.operator.password;
  resourceId = (await fixture.publish(body, 'manual')).id;
  await activateMachine({
    home,
    serverUrl: fixture.server.url,
    email: fixture.operator.email,
    password,
    label: 'line-9',
    fingerprint: fixture.server.certFingerprint256!,
    env,
    keyParams: FAST_KEY,
  });
  await unlockResource({ home, idOrName: resourceId, password, env });
  pin = (await requireActivation(home)).certificate ?? undefined;
}, 60_000);
afterAll(async () => {
  await fixture.close();
  await closeContainerOpenPool();
});

describe('vault lock', () => {
  it('is locked by default and says which activation it opens', async () => {
    const { handlers, emitted } = vault();
    expect(await handlers.getState()).toEqual({
      activated: true,
      locked: true,
      email: fixture.operator.email,
      serverUrl: fixture.server.url,
      machineLabel: 'line-9',
      items: 1,
      locksAt: null,
    });
    const bare = new VaultLockService({
      home: await fixture.home('never-activated'),
      env,
      autoLockMinutes: () => 15,
      strictHardware: () => false,
      emit: () => undefined,
      sessionState: async () => LOGGED_OUT,
    });
    expect(await bare.getState()).toMatchObject({ activated: false, locked: true, items: 0, email: null });
    await expect(bare.unlock({ password })).rejects.toMatchObject({ code: ErrorCode.NotActivated });
    expect(emitted).toEqual([]);
  });

  it('stays locked on a wrong password, holding no key', async () => {
    const { service, emitted } = vault();
    await expect(service.unlock({ password: 'not the password' })).rejects.toMatchObject({
      code: ErrorCode.WrongPassword,
    });
    expect((await service.getState()).locked).toBe(true);
    await expect(service.withKey(async () => 'used')).rejects.toMatchObject({
      code: ErrorCode.Unauthenticated,
    });
    expect(emitted).toEqual([]);
  });

  it('unlocks offline with the password and exports without it, the published bytes', async () => {
    let now = Date.parse('2026-01-01T10:00:00Z');
    const { service, emitted, handlers } = vault({ now: () => now, autoLockMinutes: () => 5 });
    const result = await handlers.unlock({ password });
    expect(result.vault).toMatchObject({
      activated: true,
      locked: false,
      locksAt: '2026-01-01T10:05:00.000Z',
    });
    expect(result.session).toEqual(LOGGED_OUT);
    expect(emitted.at(-1)).toMatchObject({ locked: false });
    expect(JSON.stringify([result, emitted])).not.toContain(password);

    const target = path.join(out, 'manual.bin');
    now += 60_000;
    const exported = await resources(service).exportTo({ resourceId, path: target });
    expect(exported).toEqual({ path: target, bytes: body.length, audit: 'queued' });
    expect((await fs.readFile(target)).equals(body)).toBe(true);
    expect(await queuedExports(home)).toMatchObject([{ resource_id: resourceId }]);
    // Use re-arms the idle timer from the time of use.
    expect((await handlers.getState()).locksAt).toBe('2026-01-01T10:06:00.000Z');
    service.dispose();
  });

  it('refuses a password-less export while locked and writes nothing', async () => {
    const { service } = vault();
    const target = path.join(out, 'locked.bin');
    await expect(resources(service).exportTo({ resourceId, path: target })).rejects.toMatchObject({
      code: ErrorCode.Unauthenticated,
      message: expect.stringContaining('The vault is locked'),
    });
    await expect(fs.lstat(target)).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await fs.readdir(out)).filter((name) => name.includes('locked'))).toEqual([]);
  });

  it('unlocks even when the sign-in throws, and reports a sign-in that succeeds', async () => {
    const failing = vault({
      signIn: async () => {
        throw new Error('server unreachable');
      },
    });
    const offline = await failing.handlers.unlock({ password });
    expect(offline.vault.locked).toBe(false);
    expect(offline.session.signedIn).toBe(false);
    failing.service.dispose();

    const activation = await requireActivation(home);
    const connection = serverConnection();
    await connection.connect(activation.server_url);
    let session = LOGGED_OUT;
    const signIn = vi.fn(async (target: { serverUrl: string; email: string }, secret: string) => {
      const signedIn = await connection.client.login(target.email, secret);
      session = {
        signedIn: true,
        email: target.email,
        role: signedIn.user.role,
        serverUrl: target.serverUrl,
      };
      return session;
    });
    try {
      const online = vault({ signIn, sessionState: async () => session });
      const result = await online.handlers.unlock({ password });
      expect(signIn).toHaveBeenCalledWith(
        { serverUrl: fixture.server.url, email: fixture.operator.email },
        password,
      );
      expect(result.vault.locked).toBe(false);
      expect(result.session).toEqual({
        signedIn: true,
        email: fixture.operator.email,
        role: 'operator',
        serverUrl: fixture.server.url,
      });

      // A password-less export is reported through the console's session.
      const target = path.join(out, 'reported.bin');
      const exported = await resources(online.service, connection).exportTo({ resourceId, path: target });
      expect(exported.audit).toBe('reported');
      expect((await fs.readFile(target)).equals(body)).toBe(true);
      const admin = await login(fixture.server.app, ADMIN_EMAIL, DEV_PASSWORD);
      const audited = await fixture.server.app.inject({
        method: 'GET',
        url: '/api/v1/audit?type=resource_export',
        headers: bearer(admin.access_token),
      });
      expect(audited.statusCode).toBe(200);
      expect(audited.body).toContain(`resource/${resourceId}`);
      online.service.dispose();
    } finally {
      await connection.close();
    }
  });

  it('locks itself when idle; a password-less export then fails', async () => {
    const { service, emitted, handlers } = vault({ autoLockMs: () => 150 });
    await handlers.unlock({ password });
    expect(emitted.at(-1)?.locked).toBe(false);
    await waitFor(() => emitted.at(-1)?.locked === true);
    expect(emitted.at(-1)).toMatchObject({ locked: true, locksAt: null });
    const target = path.join(out, 'idle.bin');
    await expect(resources(service).exportTo({ resourceId, path: target })).rejects.toMatchObject({
      code: ErrorCode.Unauthenticated,
    });
    await expect(fs.lstat(target)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('zeroes the held key on lock and the lent copy after use; lock is idempotent', async () => {
    const { service, emitted, handlers } = vault();
    await handlers.unlock({ password });
    let lent: Buffer | undefined;
    const key = await service.withKey(async (privateKey) => {
      lent = privateKey;
      return Buffer.from(privateKey);
    });
    expect(key.length).toBe(32);
    expect(key.equals(Buffer.alloc(32))).toBe(false);
    expect(lent?.equals(Buffer.alloc(32))).toBe(true);

    const zeroed: Buffer[] = [];
    // Records every buffer zeroed during lock(), as it was just before zeroing.
    const fill = Buffer.prototype.fill as (this: Buffer, ...args: unknown[]) => Buffer;
    const spy = vi.spyOn(Buffer.prototype, 'fill').mockImplementation(function (
      this: Buffer,
      ...args: unknown[]
    ) {
      if (args[0] === 0) zeroed.push(Buffer.from(this));
      return fill.apply(this, args);
    });
    try {
      expect((await handlers.lock()).locked).toBe(true);
    } finally {
      spy.mockRestore();
    }
    expect(zeroed.some((buffer) => buffer.equals(key))).toBe(true);
    expect(emitted.at(-1)).toMatchObject({ locked: true });
    expect((await handlers.lock()).locked).toBe(true);
    await expect(service.withKey(async () => 'used')).rejects.toMatchObject({
      code: ErrorCode.Unauthenticated,
    });
  });

  it('locks and says not_activated when the activation file goes away', async () => {
    const { service, emitted, handlers } = vault();
    await handlers.unlock({ password });
    const file = activationPath(home);
    const saved = await fs.readFile(file);
    await fs.rm(file);
    try {
      await expect(service.withKey(async () => 'used')).rejects.toMatchObject({
        code: ErrorCode.NotActivated,
      });
      expect(emitted.at(-1)).toMatchObject({ activated: false, locked: true });
    } finally {
      await fs.writeFile(file, saved, { mode: 0o600 });
    }
    // The activation is back, the key is not: unlocking again is required.
    expect((await handlers.getState()).locked).toBe(true);
    await expect(service.withKey(async () => 'used')).rejects.toMatchObject({
      code: ErrorCode.Unauthenticated,
    });
  });

  it('locks and says not_activated when the machine was activated again under it', async () => {
    const { service, emitted, handlers } = vault();
    await handlers.unlock({ password });
    const activation = await requireActivation(home);
    await writeActivation(home, { ...activation, activated_at: new Date(Date.now() + 1_000).toISOString() });
    try {
      await expect(service.withKey(async () => 'used')).rejects.toMatchObject({
        code: ErrorCode.NotActivated,
      });
      expect(emitted.at(-1)).toMatchObject({ activated: true, locked: true });
    } finally {
      await writeActivation(home, activation);
    }
  });

  it('with strict hardware refuses one changed component; without, opens', async () => {
    await fs.writeFile(
      fingerprintFile,
      JSON.stringify({ components: { ...BASE_COMPONENTS, disk: 'SERIAL-0002' } }),
    );
    const strict = vault({ strictHardware: () => true });
    await expect(strict.handlers.unlock({ password })).rejects.toMatchObject({
      code: ErrorCode.HardwareMismatch,
    });
    expect((await strict.handlers.getState()).locked).toBe(true);
    const tolerant = vault({ strictHardware: () => false });
    expect((await tolerant.handlers.unlock({ password })).vault.locked).toBe(false);
    tolerant.service.dispose();
  });

  it('locks when the console deactivates the machine', async () => {
    const { service, emitted, handlers } = vault();
    await handlers.unlock({ password });
    const activation = await requireActivation(home);
    const connection = serverConnection();
    try {
      await connection.connect(activation.server_url);
      await connection.client.login(fixture.operator.email, password);
      const machine = new MachineService({
        home,
        env,
        connection,
        trust: { pinFor: () => undefined, pin: async () => undefined },
        removeLocal: removeLocalActivation,
        onActivationChanged: async () => {
          await service.lock();
        },
      });
      expect((await machine.deactivate()).activated).toBe(false);
    } finally {
      await connection.close();
    }
    expect(emitted.at(-1)).toMatchObject({ activated: false, locked: true, items: 0 });
    await expect(service.withKey(async () => 'used')).rejects.toMatchObject({
      code: ErrorCode.Unauthenticated,
    });
  });
});
