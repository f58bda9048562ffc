/**
 * The whole flow through the real CLI (child processes) against a real Factory API on
 * loopback with TLS: bootstrap → publisher publishes → operator activates (pinned
 * certificate) → unlocks → identical bytes; then the server is stopped and `cat`
 * still gives the same bytes from the vault, offline.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_COMPONENTS, startUnlockFixture, type UnlockFixture } from './unlock-fixture.ts';

const run = promisify(execFile);
const CLI = path.resolve('electron/core/shells/cli/index.ts');

let fixture: UnlockFixture;
let env: Record<string, string>;
const original = randomBytes(3 * 1024 * 1024 + 777);

async function cli(args: string[], extra: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env, ...extra },
      encoding: 'buffer',
      maxBuffer: 64 * 1024 * 1024,
      // Generous: each run pays Node's start and one scrypt of 128 MiB, slow on a loaded 2-core machine.
      timeout: 170_000,
    });
    return { code: 0, stdout, stderr: stderr.toString() };
  } catch (error) {
    const failed = error as { code?: number; signal?: string; stdout: Buffer; stderr: Buffer };
    return {
      code: failed.code ?? 1,
      stdout: failed.stdout,
      stderr: `${failed.stderr.toString()}${failed.signal ? ` (killed: ${failed.signal})` : ''}`,
    };
  }
}

/** The CLI with stdout redirected into `file`, as the shell's `> file` does; resolves to the exit code. */
async function catInto(file: string, args: string[], extra: Record<string, string> = {}): Promise<number> {
  const fd = openSync(file, 'w', 0o600);
  try {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env, ...extra },
      stdio: ['ignore', fd, 'ignore'],
      timeout: 170_000,
    });
    return await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  } finally {
    closeSync(fd);
  }
}

beforeAll(async () => {
  fixture = await startUnlockFixture();
  env = {
    FACTORY_CONSOLE_HOME: await fixture.home('cli'),
    FACTORY_FINGERPRINT_FILE: await fixture.fingerprint('cli', BASE_COMPONENTS),
    FACTORY_PASSWORD: fixture.operator.password,
  };
});
afterAll(async () => fixture.close());

describe('unlock flow through the CLI', () => {
  it('publishes, activates, unlocks to identical bytes, and cats offline after the server stopped', async () => {
    const { id } = await fixture.publish(original, 'firmware', '2.1');
    const fingerprint = fixture.server.certFingerprint256!;

    const refused = await cli([
      'activate',
      '--server',
      fixture.server.url,
      '--email',
      fixture.operator.email,
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(fingerprint); // shown for confirmation, not trusted silently

    const activated = await cli([
      'activate',
      '--server',
      fixture.server.url,
      '--email',
      fixture.operator.email,
      '--fingerprint',
      fingerprint,
      '--label',
      'line-7',
    ]);
    expect(activated.stderr).not.toContain('error');
    expect(activated.code, activated.stderr).toBe(0);
    expect(activated.stdout.toString()).toContain('Activated machine mch_');

    const listed = await cli(['resources', '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout.toString()).resources).toEqual([
      expect.objectContaining({ id, name: 'firmware', version: '2.1', state: 'locked' }),
    ]);

    const out = path.join(fixture.root, 'exported', 'firmware.bin');
    await fs.mkdir(path.dirname(out));
    const unlocked = await cli(['unlock', 'firmware', '--out', out]);
    expect(unlocked.stderr).not.toContain('error');
    expect(unlocked.code, unlocked.stderr).toBe(0);
    expect((await fs.readFile(out)).equals(original)).toBe(true);
    expect((await fs.stat(out)).mode & 0o777).toBe(0o600);
    expect((await fs.readdir(path.dirname(out))).sort()).toEqual(['firmware.bin']); // no temp file left

    const status = JSON.parse((await cli(['status', '--json'])).stdout.toString());
    expect(status.activated).toBe(true);
    expect(status.vault).toEqual([expect.objectContaining({ id, name: 'firmware', lease_expired: false })]);

    // The vault holds ciphertext only.
    const stored = await fs.readFile(
      path.join(env.FACTORY_CONSOLE_HOME!, 'vault', 'items', id, 'container.fcr'),
    );
    expect(stored.includes(original.subarray(0, 64))).toBe(false);

    await fixture.server.close();
    const offline = await cli(['cat', id]);
    expect(offline.stderr).not.toContain('error');
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stdout.equals(original)).toBe(true);
    const byName = await cli(['cat', 'firmware']);
    expect(byName.stdout.equals(original)).toBe(true);
    // `cat NAME > file`: stdout is an empty file, so the workers write chunks into it by offset.
    const catFile = path.join(env.FACTORY_CONSOLE_HOME!, 'cat.out');
    expect(await catInto(catFile, ['cat', 'firmware'])).toBe(0);
    expect((await fs.readFile(catFile)).equals(original)).toBe(true);
    // Each offline read is queued as an export event for the server's audit log.
    expect(JSON.parse((await cli(['status', '--json'])).stdout.toString()).queued_exports).toBe(3);

    const wrongPassword = await cli(['cat', id], { FACTORY_PASSWORD: 'not the password at all' });
    expect(wrongPassword.code).not.toBe(0);
    expect(wrongPassword.stdout.length).toBe(0);
    expect(wrongPassword.stderr).toContain('wrong_password');
    expect(await catInto(catFile, ['cat', id], { FACTORY_PASSWORD: 'not the password at all' })).not.toBe(0);
    expect((await fs.readFile(catFile)).length).toBe(0);
  }, 600_000);
});
