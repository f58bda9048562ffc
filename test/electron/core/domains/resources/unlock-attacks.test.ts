/**
 * The unlock pipeline and the offline vault against a real Factory API (TLS, loopback,
 * behind a misbehaving TCP proxy), attacked on purpose: every bad input is refused
 * with a clear, typed error, no output file appears and the vault is left unchanged.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../../shared/common/errors.ts';
import { canonicalJson } from '../../../../../shared/common/canonical-json.ts';
import { generateSigningKeyPair, signCanonical } from '../../../../../shared/node/crypto/signing.ts';
import { activateMachine } from '../../../../../electron/core/domains/machine/activation.ts';
import { readActivation } from '../../../../../electron/core/domains/machine/activation.store.ts';
import { activationConnection } from '../../../../../electron/core/domains/machine/activation.ts';
import { closeContainerOpenPool } from '../../../../../electron/core/domains/resources/open-pool.ts';
import {
  unlockResource,
  type UnlockInput,
} from '../../../../../electron/core/domains/resources/unlock.pipeline.ts';
import { decryptContainer } from '../../../../../electron/core/domains/resources/plaintext-export.ts';
import { openVaultItem } from '../../../../../electron/core/domains/vault/vault-opener.ts';
import { itemDir, readRecord, stagingDir } from '../../../../../electron/core/domains/vault/vault.store.ts';
import { resourcesDb } from '../../../../../server/resources/resources.tables.ts';
import { bearer } from '../../../../server/helpers.ts';
import { BASE_COMPONENTS, startUnlockFixture, type UnlockFixture } from '../../../../e2e/unlock-fixture.ts';
import { startTcpProxy, type ProxyControl } from '../../../../e2e/tcp-proxy.ts';

let fixture: UnlockFixture;
let proxy: ProxyControl;
let homeA: string;
let envA: Record<string, string>;
const MiB = 1024 * 1024;
/** The machine key's scrypt at its minimum cost: these tests are about the flow, not the KDF. */
const FAST_KEY = { N: 2 ** 14, r: 8, p: 1 };
const plaintext = randomBytes(5 * MiB + 4321);
let resourceId: string;

function unlockA(extra: Partial<UnlockInput> = {}): Promise<unknown> {
  return unlockResource({
    home: homeA,
    idOrName: resourceId,
    password: fixture.operator.password,
    env: envA,
    download: { retryDelayMs: 20, maxAttempts: 3 },
    client: { retry: { baseDelayMs: 5, maxDelayMs: 20 } },
    ...extra,
  });
}

async function activate(home: string, env: Record<string, string>) {
  return activateMachine({
    home,
    serverUrl: proxy.url,
    email: fixture.operator.email,
    password: fixture.operator.password,
    label: path.basename(home),
    fingerprint: fixture.server.certFingerprint256!,
    env,
    keyParams: FAST_KEY,
  });
}

async function cdnFile(id: string): Promise<string> {
  const dir = path.join(fixture.server.app.config.dataDir, 'cdn', id);
  const [name] = await fs.readdir(dir);
  return path.join(dir, name!);
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code });
}

async function plaintextOf(home: string, env: Record<string, string>, id: string): Promise<Buffer> {
  const item = await openVaultItem({ home, idOrName: id, password: fixture.operator.password, env });
  const parts: Buffer[] = [];
  for await (const part of decryptContainer({
    containerPath: item.containerPath,
    dek: item.dek,
    manifest: item.manifest,
  }))
    parts.push(part);
  return Buffer.concat(parts);
}

beforeAll(async () => {
  fixture = await startUnlockFixture();
  const port = Number(new URL(fixture.server.url).port);
  proxy = await startTcpProxy(port);
  homeA = await fixture.home('a');
  envA = { FACTORY_FINGERPRINT_FILE: await fixture.fingerprint('a', BASE_COMPONENTS) };
  resourceId = (await fixture.publish(plaintext, 'tool')).id;
  await activate(homeA, envA);
});
afterAll(async () => {
  await proxy.close();
  await fixture.close();
  await closeContainerOpenPool();
});

describe('unlock pipeline under attack', () => {
  it('resumes a cut download with Range and exports identical bytes', async () => {
    proxy.cutOnceAfter(2 * MiB);
    const out = path.join(fixture.root, 'tool.bin');
    await unlockA({ outPath: out });
    expect(proxy.cuts).toBe(1);
    expect((await fs.readFile(out)).equals(plaintext)).toBe(true);
    expect((await plaintextOf(homeA, envA, resourceId)).equals(plaintext)).toBe(true);
  });

  it('refuses a flipped byte in the CDN file: no output, vault item unchanged', async () => {
    const file = await cdnFile(resourceId);
    const good = await fs.readFile(file);
    const bad = Buffer.from(good);
    const middle = bad.length >> 1;
    bad[middle] = bad[middle]! ^ 0x01;
    await fs.writeFile(file, bad);
    const before = await readRecord(homeA, resourceId);
    const out = path.join(fixture.root, 'flipped.bin');
    try {
      await expectCode(unlockA({ outPath: out }), ErrorCode.IntegrityFailed);
    } finally {
      await fs.writeFile(file, good);
    }
    await expect(fs.access(out)).rejects.toThrow();
    expect(await readRecord(homeA, resourceId)).toEqual(before);
    await expect(fs.access(stagingDir(homeA, resourceId))).rejects.toThrow(); // bad bytes are not kept for resuming
  });

  it('refuses a CDN part of another version of the resource', async () => {
    const other = await fixture.publish(plaintext, 'tool', '2');
    const file = await cdnFile(resourceId);
    const good = await fs.readFile(file);
    await fs.copyFile(await cdnFile(other.id), file);
    try {
      await expectCode(
        unlockA({ outPath: path.join(fixture.root, 'swapped.bin') }),
        ErrorCode.IntegrityFailed,
      );
    } finally {
      await fs.writeFile(file, good);
    }
    await expect(fs.access(path.join(fixture.root, 'swapped.bin'))).rejects.toThrow();
  });

  it('a bad big part found before the machine key opens is integrity_failed, and nothing of it is kept', async () => {
    // A machine key at the product's scrypt cost: the download fails its hash long before the key opens.
    const homeSlow = await fixture.home('slow-key');
    await activateMachine({
      home: homeSlow,
      serverUrl: proxy.url,
      email: fixture.operator.email,
      password: fixture.operator.password,
      label: 'slow-key',
      fingerprint: fixture.server.certFingerprint256!,
      env: envA,
      keyParams: { N: 2 ** 17, r: 8, p: 1 },
    });
    const file = await cdnFile(resourceId);
    const good = await fs.readFile(file);
    const bad = Buffer.from(good);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0x01;
    await fs.writeFile(file, bad);
    try {
      await expectCode(unlockA({ home: homeSlow }), ErrorCode.IntegrityFailed);
    } finally {
      await fs.writeFile(file, good);
    }
    expect(await readRecord(homeSlow, resourceId)).toBeUndefined();
    await expect(fs.access(stagingDir(homeSlow, resourceId))).rejects.toThrow();
  });

  it('refuses a tampered manifest', async () => {
    const db = resourcesDb(fixture.server.app.db);
    const row = await db
      .selectFrom('resources')
      .select('manifest')
      .where('id', '=', resourceId)
      .executeTakeFirstOrThrow();
    const tampered = { ...JSON.parse(row.manifest), plaintext_size: 1 };
    await db
      .updateTable('resources')
      .set({ manifest: canonicalJson(tampered) })
      .where('id', '=', resourceId)
      .execute();
    try {
      await expectCode(unlockA(), ErrorCode.IntegrityFailed);
    } finally {
      await db
        .updateTable('resources')
        .set({ manifest: row.manifest })
        .where('id', '=', resourceId)
        .execute();
    }
  });

  it('refuses an envelope for another machine, a vault copied to other hardware, and tolerates one change', async () => {
    const homeB = await fixture.home('b');
    const envB = {
      FACTORY_FINGERPRINT_FILE: await fixture.fingerprint('b', {
        ...BASE_COMPONENTS,
        machine_id: 'bbbbbbbb',
        disk: 'SERIAL-B',
      }),
    };
    await activate(homeB, envB);
    await unlockResource({
      home: homeB,
      idOrName: resourceId,
      password: fixture.operator.password,
      env: envB,
    });
    // B's envelope in A's vault: sealed to B's key and bound to B's machine id.
    const envelopeA = path.join(itemDir(homeA, resourceId), 'envelope.bin');
    const savedEnvelope = await fs.readFile(envelopeA);
    await fs.copyFile(path.join(itemDir(homeB, resourceId), 'envelope.bin'), envelopeA);
    await expectCode(plaintextOf(homeA, envA, resourceId), ErrorCode.IntegrityFailed);
    await fs.writeFile(envelopeA, savedEnvelope);

    // A's whole home copied to a machine where two components differ.
    const homeC = await fixture.home('c');
    await fs.cp(homeA, homeC, { recursive: true });
    const twoChanged = {
      FACTORY_FINGERPRINT_FILE: await fixture.fingerprint('c', {
        ...BASE_COMPONENTS,
        cpu: 'Other CPU',
        disk: 'SERIAL-C',
      }),
    };
    await expectCode(plaintextOf(homeC, twoChanged, resourceId), ErrorCode.HardwareMismatch);
    const oneChanged = {
      FACTORY_FINGERPRINT_FILE: await fixture.fingerprint('c1', { ...BASE_COMPONENTS, memory: '32 GiB' }),
    };
    expect((await plaintextOf(homeC, oneChanged, resourceId)).equals(plaintext)).toBe(true);
  });

  it('refuses an expired lease, a lease edited without the server key, and a clock set back', async () => {
    const homeD = await fixture.home('d');
    await fs.cp(homeA, homeD, { recursive: true });
    const recordFile = path.join(itemDir(homeD, resourceId), 'record.json');
    const record = JSON.parse(await fs.readFile(recordFile, 'utf8'));
    const expiredLease = { ...record.lease.lease, valid_until: new Date(Date.now() - 60_000).toISOString() };
    const signing = fixture.server.app.keys.signing;
    await fs.writeFile(
      recordFile,
      JSON.stringify({
        ...record,
        lease: { lease: expiredLease, signature: signing.signCanonical(expiredLease) },
      }),
    );
    await expectCode(plaintextOf(homeD, envA, resourceId), ErrorCode.LeaseExpired);

    const extended = {
      ...record.lease.lease,
      valid_until: new Date(Date.now() + 10 * 365 * 86_400_000).toISOString(),
    };
    await fs.writeFile(
      recordFile,
      JSON.stringify({ ...record, lease: { lease: extended, signature: record.lease.signature } }),
    );
    await expectCode(plaintextOf(homeD, envA, resourceId), ErrorCode.IntegrityFailed);

    await fs.writeFile(recordFile, JSON.stringify(record));
    expect((await plaintextOf(homeD, envA, resourceId)).length).toBe(plaintext.length);
    // The console saw a time three days ahead (its sealed record keeps it); now is behind it.
    const item = await openVaultItem({
      home: homeD,
      idOrName: resourceId,
      password: fixture.operator.password,
      env: envA,
      now: Date.now() + 3 * 86_400_000,
    });
    item.dek.fill(0);
    await expectCode(plaintextOf(homeD, envA, resourceId), ErrorCode.ClockSetBack);
  });

  it('refuses a pinned server key replaced by the operator, who then signs a lease until 2099', async () => {
    const homeE = await fixture.home('e');
    await fs.cp(homeA, homeE, { recursive: true });
    const own = generateSigningKeyPair();
    const activationFile = path.join(homeE, 'activation.json');
    const activation = JSON.parse(await fs.readFile(activationFile, 'utf8'));
    await fs.writeFile(
      activationFile,
      JSON.stringify({ ...activation, server_key: own.publicKey.toString('base64') }),
    );
    const recordFile = path.join(itemDir(homeE, resourceId), 'record.json');
    const record = JSON.parse(await fs.readFile(recordFile, 'utf8'));
    const lease = { ...record.lease.lease, valid_until: '2099-12-31T00:00:00.000Z' };
    await fs.writeFile(
      recordFile,
      JSON.stringify({
        ...record,
        manifest: { ...record.manifest, signature: signCanonical(own.privateKey, record.manifest.manifest) },
        lease: { lease, signature: signCanonical(own.privateKey, lease) },
      }),
    );
    await expectCode(plaintextOf(homeE, envA, resourceId), ErrorCode.Tampered);
    // The vault refuses to unlock with it too, and an online unlock does not take the edited pin.
    const vaultItem = await readRecord(homeE, resourceId);
    expect(vaultItem?.lease.lease.valid_until).toBe('2099-12-31T00:00:00.000Z');
    await expect(
      unlockResource({ home: homeE, idOrName: resourceId, password: fixture.operator.password, env: envA }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^(integrity_failed|tampered)$/) });
  });

  it('refuses a deleted or edited clock record as tampered instead of starting it again', async () => {
    const homeF = await fixture.home('f');
    await fs.cp(homeA, homeF, { recursive: true });
    const clockFile = path.join(homeF, 'vault', 'clock.json');
    const genuine = await fs.readFile(clockFile, 'utf8');
    await fs.rm(clockFile);
    await expectCode(plaintextOf(homeF, envA, resourceId), ErrorCode.Tampered);
    await expect(fs.access(clockFile)).rejects.toThrow();
    const earlier = new Date(Date.now() - 365 * 86_400_000).toISOString();
    await fs.writeFile(clockFile, JSON.stringify({ ...JSON.parse(genuine), last_seen: earlier }));
    await expectCode(plaintextOf(homeF, envA, resourceId), ErrorCode.Tampered);
    await fs.writeFile(clockFile, genuine);
    expect((await plaintextOf(homeF, envA, resourceId)).length).toBe(plaintext.length);
  });

  it('an activation made before seals opens offline only after one online unlock sealed it', async () => {
    const homeG = await fixture.home('g');
    await fs.cp(homeA, homeG, { recursive: true });
    const activationFile = path.join(homeG, 'activation.json');
    const { seal, ...legacy } = JSON.parse(await fs.readFile(activationFile, 'utf8'));
    expect(typeof seal).toBe('string');
    await fs.writeFile(activationFile, JSON.stringify(legacy));
    const lastSeen = new Date(Date.now() - 60_000).toISOString();
    await fs.writeFile(path.join(homeG, 'vault', 'clock.json'), JSON.stringify({ last_seen: lastSeen }));
    await expectCode(plaintextOf(homeG, envA, resourceId), ErrorCode.SealMissing);
    await unlockResource({
      home: homeG,
      idOrName: resourceId,
      password: fixture.operator.password,
      env: envA,
    });
    expect((await readActivation(homeG))?.seal).toEqual(expect.any(String));
    expect((await plaintextOf(homeG, envA, resourceId)).equals(plaintext)).toBe(true);
  });

  it('keeps the vault unchanged when the server goes down mid-download, then resumes', async () => {
    const big = randomBytes(4 * MiB);
    const { id, manifest } = await fixture.publish(big, 'late');
    proxy.refuseAfterCut = true;
    proxy.cutOnceAfter(1 * MiB);
    const out = path.join(fixture.root, 'late.bin');
    try {
      await expectCode(unlockA({ idOrName: id, outPath: out }), ErrorCode.Unavailable);
    } finally {
      proxy.refuseAfterCut = false;
      proxy.refuse = false;
    }
    expect(await readRecord(homeA, id)).toBeUndefined();
    await expect(fs.access(out)).rejects.toThrow();
    const partial = (await fs.stat(path.join(stagingDir(homeA, id), 'container.fcr'))).size;
    const smallSize = manifest['small_size'] as number;
    expect(partial).toBeGreaterThan(smallSize);
    const progress: Array<{ phase: string; bytes: number }> = [];
    await unlockA({ idOrName: id, outPath: out, onProgress: (event) => progress.push(event) });
    expect((await fs.readFile(out)).equals(big)).toBe(true);
    // Resumed, not started over: the first report counts the big-part bytes kept on disk.
    expect(progress[0]).toMatchObject({ phase: 'download', bytes: partial - smallSize });
  });

  it('answers a wrong machine-key password found while the big part downloads, and starts a staged file of no small part over', async () => {
    const big = randomBytes(3 * MiB);
    const { id } = await fixture.publish(big, 'overlap');
    const activation = await readActivation(homeA);
    const connection = activationConnection(activation!, undefined);
    try {
      await connection.client.login(fixture.operator.email, fixture.operator.password);
      // The console's session is signed in; the password typed for the machine key is wrong.
      await expectCode(
        unlockA({ idOrName: id, connection, password: 'not the password' }),
        ErrorCode.WrongPassword,
      );
      expect(await readRecord(homeA, id)).toBeUndefined();
      // What the stopped download left has no small part in front (the key never opened):
      // the next unlock empties it instead of resuming from it, and gets every byte right.
      const staged = path.join(stagingDir(homeA, id), 'container.fcr');
      await fs.writeFile(staged, randomBytes(2 * MiB));
      const progress: Array<{ phase: string; bytes: number }> = [];
      const out = path.join(fixture.root, 'overlap.bin');
      await unlockA({ idOrName: id, connection, outPath: out, onProgress: (event) => progress.push(event) });
      expect(progress[0]).toMatchObject({ phase: 'download', bytes: 0 });
      expect((await fs.readFile(out)).equals(big)).toBe(true);
    } finally {
      connection.close();
    }
  });

  it('refuses an online unlock on a revoked machine', async () => {
    const activation = await readActivation(homeA);
    const revoked = await fixture.server.app.inject({
      method: 'DELETE',
      url: `/api/v1/machines/${activation!.machine_id}`,
      headers: bearer(fixture.operator.token),
    });
    expect(revoked.statusCode).toBe(204);
    await expectCode(unlockA(), ErrorCode.Forbidden);
  });
});
