import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFingerprintCommand } from '../../../../../electron/core/shells/cli/fingerprint.command.ts';
import { collectFingerprint } from '../../../../../electron/core/domains/machine/fingerprint.collector.ts';
import type { FingerprintReport } from '../../../../../electron/core/domains/machine/fingerprint.report.ts';
import { readInstallSalt } from '../../../../../electron/core/domains/machine/install-salt.ts';
import { hardwareHash } from '../../../../../shared/node/crypto/hardware-hash.ts';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../../../../electron/core/shells/cli/index.ts', import.meta.url));

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'fc-fingerprint-cli-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

/** Runs the real CLI in a fresh process (Node 22, the project's runtime). */
async function fingerprintCli(args: string[], env: Record<string, string> = {}) {
  const { FACTORY_FINGERPRINT_FILE: _ignored, ...base } = process.env;
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, 'fingerprint', ...args], {
      // Generous per-source timeouts: these tests check values; the timeout tests check timing.
      env: { ...base, FACTORY_CONSOLE_HOME: home, FACTORY_FINGERPRINT_TIMEOUT_MS: '10000', ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout: string; stderr: string };
    return { code: failed.code ?? -1, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('factory-console fingerprint', () => {
  it('is stable across processes and matches the in-process hw_hash', async () => {
    const reports: FingerprintReport[] = [];
    for (let index = 0; index < 4; index++) {
      const result = await fingerprintCli(['--json']);
      expect(result.code).toBe(0);
      reports.push(JSON.parse(result.stdout) as FingerprintReport);
    }
    const hashes = new Set(reports.map((report) => report.hw_hash));
    expect(hashes.size).toBe(1);
    const salt = await readInstallSalt(home);
    expect(salt).toBeDefined();
    const local = await collectFingerprint({ env: {}, sourceTimeoutMs: 10_000 });
    expect(local.missing.filter((entry) => entry.failed)).toEqual([]);
    expect(reports[0]!.hw_hash).toBe(hardwareHash(local.components, salt!).toString('hex'));
    expect(reports[0]!.hw_hash).toMatch(/^[0-9a-f]{96}$/);
    expect(reports[0]!.override).toBeNull();
    expect(reports[0]!.collection_ms).toBeGreaterThan(0);
    expect(['strong', 'medium', 'weak']).toContain(reports[0]!.binding.strength);
    // Every component is either present or missing with a reason.
    expect(reports[0]!.components.length + reports[0]!.missing.length).toBe(7);
  });

  it('masks serials, shows the override prominently and warns on stderr', async () => {
    const overridePath = join(home, 'override.json');
    await writeFile(
      overridePath,
      JSON.stringify({
        components: {
          cpu: 'Intel Core i7-1165G7 / 8 cores',
          memory: '16 GiB',
          disk: 'SAMSUNG MZVLB512 | S4EWNX0R123456',
          system_uuid: '1E5E2A4C-2B6F-11B2-A85C-D4C0AF3F1234',
          baseboard_serial: 'L1HF12A003X',
          machine_id: 'a3f1c2d45b6e4f708a9b0c1d2e3f4a5b',
        },
      }),
    );
    const text = await fingerprintCli([], { FACTORY_FINGERPRINT_FILE: overridePath });
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n').slice(0, 3).join('\n')).toContain(`override: ${overridePath}`);
    expect(text.stderr).toContain(overridePath);
    for (const secret of ['s4ewnx0r123456', '1e5e2a4c-2b6f', 'l1hf12a003x', 'a3f1c2d45b6e'])
      expect(text.stdout).not.toContain(secret);
    expect(text.stdout).toContain('samsung mzvlb512 | ****3456');
    expect(text.stdout).toContain('****003x');
    expect(text.stdout).toMatch(/Binding strength\s+strong/);

    const json = await fingerprintCli(['--json'], { FACTORY_FINGERPRINT_FILE: overridePath });
    const report = JSON.parse(json.stdout) as FingerprintReport;
    expect(report.override).toBe(overridePath);
    expect(report.components.find((component) => component.name === 'machine_id')?.value).toBe('****4a5b');
    expect(report.missing).toEqual([{ name: 'gpu', reason: 'absent in the override file', failed: false }]);
  });

  it('a malformed override file or an unknown option is a one-line error', async () => {
    const bad = join(home, 'bad.json');
    await writeFile(bad, '{"components": {"cpu": 1}}');
    const result = await fingerprintCli([], { FACTORY_FINGERPRINT_FILE: bad });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: FACTORY_FINGERPRINT_FILE: .*components\.cpu/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const option = await fingerprintCli(['--yaml']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('unknown option --yaml');
  });

  it('answers within its budget when a collector never returns', async () => {
    let output = '';
    const command = createFingerprintCommand({
      env: { FACTORY_CONSOLE_HOME: home },
      collect: { sources: { diskLayout: () => new Promise(() => undefined) } },
      stdout: (text) => {
        output += text;
      },
    });
    const started = performance.now();
    expect(await command.run(['--json'])).toBe(0);
    // Not a performance assertion: without the timeout this call would never return.
    expect(performance.now() - started).toBeLessThan(5000);
    const report = JSON.parse(output) as FingerprintReport;
    expect(report.missing.find((entry) => entry.name === 'disk')?.reason).toMatch(/diskLayout: timed out/);
    expect(await readFile(join(home, 'machine', 'install-salt'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
  });
});
