/**
 * `factory-console unlock NAME --out FILE` creates FILE once and never replaces it:
 * through the real CLI process against a real Factory API (TLS, loopback). An existing
 * file is refused before anything is unlocked (no vault item appears), it is left
 * byte for byte as it was, and the exit code is not 0.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activatedCli, type ActivatedCli } from '../../../../e2e/cli-harness.ts';
import { startUnlockFixture, type UnlockFixture } from '../../../../e2e/unlock-fixture.ts';

let fixture: UnlockFixture;
let cli: ActivatedCli;
const original = randomBytes(2 * 1024 * 1024 + 333);
let id = '';

beforeAll(async () => {
  fixture = await startUnlockFixture();
  ({ id } = await fixture.publish(original, 'manual', '1'));
  cli = await activatedCli(fixture, 'out');
}, 180_000);
afterAll(async () => fixture?.close());

describe('factory-console unlock --out', () => {
  it('refuses an existing file before unlocking, leaves it untouched and exits non-zero', async () => {
    const folder = path.join(fixture.root, 'exports');
    await fs.mkdir(folder);
    const taken = path.join(folder, 'manual.bin');
    await fs.writeFile(taken, 'the operator’s own file\n');
    const before = await fs.stat(taken);

    const refused = await cli.run(['unlock', 'manual', '--out', taken]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`${taken} already exists and is never overwritten`);
    expect(refused.stdout.toString()).not.toContain('Exported');
    expect(await fs.readFile(taken, 'utf8')).toBe('the operator’s own file\n');
    expect((await fs.stat(taken)).mtimeMs).toBe(before.mtimeMs);
    expect(await fs.readdir(folder)).toEqual(['manual.bin']); // no temporary file left
    // Checked before the unlock started: nothing entered the vault.
    await expect(fs.stat(path.join(cli.home, 'vault', 'items', id))).rejects.toThrow(/ENOENT/);

    // A relative --out is resolved against the working folder and refused the same way.
    const relative = await cli.run(['unlock', 'manual', '--out', path.relative(process.cwd(), taken)]);
    expect(relative.code).not.toBe(0);
    expect(relative.stderr).toContain('already exists');
    expect(await fs.readFile(taken, 'utf8')).toBe('the operator’s own file\n');

    // A new name works, once; the same command again is refused and the export stays whole.
    const fresh = path.join(folder, 'manual-2.bin');
    const exported = await cli.run(['unlock', 'manual', '--out', fresh]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout.toString()).toContain(`Exported to ${fresh}`);
    expect((await fs.readFile(fresh)).equals(original)).toBe(true);
    expect((await fs.stat(fresh)).mode & 0o777).toBe(0o600);
    const again = await cli.run(['unlock', 'manual', '--out', fresh]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(`${fresh} already exists`);
    expect((await fs.readFile(fresh)).equals(original)).toBe(true);
    expect((await fs.readdir(folder)).sort()).toEqual(['manual-2.bin', 'manual.bin']);
  }, 400_000);
});
