/**
 * One unlock of a vault item at a time, across processes, and a vault that is never
 * left half-written: real `factory-console` child processes against one real Factory
 * API (TLS, loopback) behind a throttling TCP proxy, so that two downloads overlap and
 * a process can be killed in the middle of one.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activatedCli, type ActivatedCli, type CliResult } from '../../../../e2e/cli-harness.ts';
import { startUnlockFixture, type UnlockFixture } from '../../../../e2e/unlock-fixture.ts';
import { unlockResourceExclusive } from '../../../../../electron/core/domains/resources/exclusive-unlock.ts';
import { startCore } from '../../core-fixture.ts';
import type { UnlockProgress } from '../../../../../shared/common/contract/bridge.ts';
import { closeContainerOpenPool } from '../../../../../electron/core/domains/resources/open-pool.ts';
import { STALE_MS } from '../../../../../electron/core/domains/vault/item-lock.ts';

/** Forwards TCP to `port` (TLS passes through), server→client at about `bytesPerSecond`. */
async function throttlingProxy(port: number, bytesPerSecond: number) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
      upstream.pause();
      setTimeout(() => upstream.resume(), (chunk.length / bytesPerSecond) * 1000);
    });
    upstream.on('end', () => client.end());
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    url: `https://127.0.0.1:${address.port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let fixture: UnlockFixture;
let proxy: Awaited<ReturnType<typeof throttlingProxy>>;
const original = randomBytes(12 * 1024 * 1024 + 4321);
let id = '';

beforeAll(async () => {
  fixture = await startUnlockFixture();
  ({ id } = await fixture.publish(original, 'model', '3'));
  // About 3 s per download: two unlocks started together overlap.
  proxy = await throttlingProxy(Number(new URL(fixture.server.url).port), 4 * 1024 * 1024);
}, 120_000);
afterAll(async () => {
  await proxy?.close();
  await fixture?.close();
  await closeContainerOpenPool();
});

/** A console home activated through the throttling proxy (same server, same certificate). */
async function slowCli(name: string): Promise<ActivatedCli> {
  return activatedCli({ ...fixture, server: { ...fixture.server, url: proxy.url } }, name);
}

// The operator has three seats: the tests that need no fresh home share this one.
let shared: ActivatedCli | undefined;
async function sharedCli(): Promise<ActivatedCli> {
  shared ??= await slowCli('shared');
  return shared;
}

function exited(child: ReturnType<ActivatedCli['spawn']>): Promise<CliResult> {
  let stdout = Buffer.alloc(0);
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout = Buffer.concat([stdout, chunk])));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.once('exit', (code, signal) =>
      resolve({ code: code ?? 128, stdout, stderr: `${stderr}${signal ?? ''}` }),
    ),
  );
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}

describe('two unlocks of one resource at once', () => {
  it('never break the vault: one unlocks, the other says an unlock is in progress, and cat works', async () => {
    const cli = await sharedCli();
    const results = await Promise.all([
      exited(cli.spawn(['unlock', 'model'])),
      exited(cli.spawn(['unlock', 'model'])),
    ]);
    const succeeded = results.filter((result) => result.code === 0);
    expect(succeeded.length, results.map((result) => result.stderr).join('\n')).toBeGreaterThanOrEqual(1);
    for (const result of results.filter((each) => each.code !== 0))
      expect(result.stderr).toContain('An unlock of model is in progress');

    const cat = await cli.run(['cat', 'model']);
    expect(cat.code, cat.stderr).toBe(0);
    expect(cat.stdout.equals(original)).toBe(true);
    const listed = JSON.parse((await cli.run(['resources', '--json', '--offline'])).stdout.toString());
    // Listed from the vault alone (--offline): one whole item.
    expect(listed.resources).toEqual([expect.objectContaining({ id, name: 'model', state: 'offline' })]);
    // By id and by name, once the vault knows the item, are one lock too.
    const byBoth = await Promise.all([
      exited(cli.spawn(['unlock', 'model'])),
      exited(cli.spawn(['unlock', id])),
    ]);
    expect(byBoth.filter((result) => result.code === 0).length).toBeGreaterThanOrEqual(1);
    for (const result of byBoth.filter((each) => each.code !== 0))
      expect(result.stderr).toContain('is in progress');
    expect((await cli.run(['cat', id])).stdout.equals(original)).toBe(true);
  }, 400_000);

  it('the console by id and the CLI by name, on a home that never had the item, hold one lock', async () => {
    const cli = await slowCli('mixed');
    // The console as the UI composes it, on the same home (the CLI's activation pinned the
    // certificate in its trust store), signed in: its list names the resource, so the name is locked too.
    const ui = await startCore({
      serverUrl: proxy.url,
      home: cli.home,
      env: { ...process.env, ...cli.env },
    });
    await ui.services.session.login({
      email: fixture.operator.email,
      password: fixture.operator.password,
    });
    const outcome = new Promise<string>((resolve) =>
      ui.core.router.subscribe((channel, payload) => {
        const phase = (payload as UnlockProgress).phase;
        if (channel === 'resources.onUnlockProgress' && (phase === 'done' || phase === 'failed'))
          resolve(phase);
      }),
    );
    const [byCli] = await Promise.all([
      exited(cli.spawn(['unlock', 'model'])),
      ui.services.resources.unlock({ resourceId: id, password: fixture.operator.password }),
    ]);
    const byConsole = await outcome;
    expect([byCli.code === 0, byConsole === 'done'], byCli.stderr).toContain(true);
    if (byCli.code !== 0) expect(byCli.stderr).toContain('is in progress');
    const cat = await cli.run(['cat', 'model']);
    expect(cat.code, cat.stderr).toBe(0);
    expect(cat.stdout.equals(original)).toBe(true);
    await ui.close();
  }, 400_000);

  it('a process killed mid-unlock leaves no item or a whole one, and its stale lock is taken over', async () => {
    const cli = await slowCli('killed');
    const staged = path.join(cli.home, 'vault', 'staging', id, 'container.fcr');
    const child = cli.spawn(['unlock', 'model']);
    const done = exited(child);
    const deadline = Date.now() + 120_000;
    // Killed once a few MiB of the big part are on disk.
    while (Date.now() < deadline) {
      const size = await fs.stat(staged).then(
        (info) => info.size,
        () => 0,
      );
      if (size > 3 * 1024 * 1024 || child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(child.exitCode).toBe(null);
    child.kill('SIGKILL');
    expect((await done).stderr).toContain('SIGKILL');

    // No item (it was still downloading): the vault lists nothing and cat says so.
    expect(await exists(path.join(cli.home, 'vault', 'items', id))).toBe(false);
    const listed = JSON.parse((await cli.run(['resources', '--json', '--offline'])).stdout.toString());
    expect(listed.resources).toEqual([]);
    expect((await cli.run(['cat', 'model'])).code).not.toBe(0);

    // The dead process's lock is taken over once stale; the download resumes and completes.
    await new Promise((resolve) => setTimeout(resolve, STALE_MS + 500));
    const again = await cli.run(['unlock', 'model']);
    expect(again.code, again.stderr).toBe(0);
    expect((await cli.run(['cat', 'model'])).stdout.equals(original)).toBe(true);
  }, 400_000);

  it('the export target taken while the unlock ran is not replaced (the final create is a link)', async () => {
    const cli = await sharedCli();
    const folder = path.join(fixture.root, 'race-out');
    await fs.mkdir(folder);
    const target = path.join(folder, 'model.bin');
    let planted = false;
    await expect(
      unlockResourceExclusive({
        home: cli.home,
        idOrName: 'model',
        password: fixture.operator.password,
        env: { ...process.env, ...cli.env },
        outPath: target,
        onProgress: (progress) => {
          // Another program creates the file after the first check, while the download runs.
          if (!planted && progress.phase === 'download') {
            planted = true;
            void fs.writeFile(target, 'written meanwhile\n', { flag: 'wx' });
          }
        },
      }),
    ).rejects.toThrow(`${target} already exists and is never overwritten`);
    expect(planted).toBe(true);
    expect(await fs.readFile(target, 'utf8')).toBe('written meanwhile\n');
    expect(await fs.readdir(folder)).toEqual(['model.bin']);
  }, 200_000);
});
