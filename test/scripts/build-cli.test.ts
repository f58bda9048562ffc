/**
 * `npm run build:cli` (scripts/build-cli.ts): the bundle it writes runs the CLI, zod
 * comes from the bundle rather than as some ninety modules from node_modules, and what
 * `status` and `fingerprint` load before they run holds neither zod nor, for `status`,
 * node:crypto (docs/CLI.md §Start-up: a command that starts at once). Built into a
 * scratch folder under out/, so the bundle the bin uses (out/cli) is left alone.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activatedCli } from '../e2e/cli-harness.ts';
import { startUnlockFixture } from '../e2e/unlock-fixture.ts';

const root = path.resolve(import.meta.dirname, '../..');
let outDir: string;
let home: string;

beforeAll(() => {
  // A fresh clone has no out/ yet.
  mkdirSync(path.join(root, 'out'), { recursive: true });
  outDir = mkdtempSync(path.join(root, 'out', 'build-cli-test-'));
  home = mkdtempSync(path.join(tmpdir(), 'build-cli-home-'));
  execFileSync(process.execPath, ['scripts/build-cli.ts', '--out', outDir], { cwd: root, encoding: 'utf8' });
}, 120_000);

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

describe('build:cli', () => {
  it('bundles zod: no bundled file imports it from node_modules, and inputs.json lists its sources', () => {
    const files = readdirSync(outDir).filter((name) => name.endsWith('.mjs'));
    expect(files).toContain('factory-console.mjs');
    for (const name of files)
      expect(readFileSync(path.join(outDir, name), 'utf8'), name).not.toMatch(
        /from\s*["']zod(\/[^"']*)?["']/,
      );
    const { inputs } = JSON.parse(readFileSync(path.join(outDir, 'inputs.json'), 'utf8')) as {
      inputs: { path: string }[];
    };
    expect(inputs.some((input) => input.path.includes('node_modules/zod/'))).toBe(true);
    expect(inputs.some((input) => input.path === 'electron/core/shells/cli/status.command.ts')).toBe(true);
  });

  it('every worker a bundled file starts is in the bundle, and the download sink is one of them', () => {
    const files = readdirSync(outDir).filter((name) => name.endsWith('.mjs'));
    const started = new Set<string>();
    for (const name of files) {
      const code = readFileSync(path.join(outDir, name), 'utf8');
      expect(code, name).not.toMatch(/\.worker\.ts["']/);
      for (const match of code.matchAll(/new URL\(["']\.\/([\w.-]+\.worker\.mjs)["']/g))
        started.add(match[1]!);
    }
    expect([...started]).toContain('big-part-sink.worker.mjs');
    expect([...started]).toContain('cdn-download.worker.mjs');
    for (const worker of started) expect(files).toContain(worker);
  });

  it('the bundle unlocks from a real Factory API: its download thread starts its sink thread, and the bytes are the published ones', async () => {
    const fixture = await startUnlockFixture();
    try {
      const published = randomBytes(3 * 1024 * 1024 + 77);
      await fixture.publish(published, 'bundled', '1');
      const cli = await activatedCli(fixture, 'bundle', path.join(outDir, 'factory-console.mjs'));
      const out = path.join(fixture.root, 'bundled.bin');
      const unlocked = await cli.run(['unlock', 'bundled', '--out', out]);
      expect(unlocked.code, unlocked.stderr).toBe(0);
      expect(readFileSync(out).equals(published)).toBe(true);
    } finally {
      await fixture.close();
    }
  }, 180_000);

  it('the bundle runs status for a console that is not activated', () => {
    const output = execFileSync(
      process.execPath,
      [path.join(outDir, 'factory-console.mjs'), 'status', '--json'],
      {
        cwd: root,
        env: { ...process.env, FACTORY_CONSOLE_HOME: home },
        encoding: 'utf8',
      },
    );
    expect(JSON.parse(output)).toMatchObject({ home, activated: false, vault: [] });
  });

  it('status and fingerprint load no zod (and status no node:crypto) through their static imports', () => {
    /** The bundle's files a command's module loads before it runs: the entry's and its own static imports, transitively. */
    const staticallyLoaded = (command: string): Map<string, string> => {
      const files = readdirSync(outDir);
      const own = files.find((name) => name.startsWith(`${command}.command-`) && name.endsWith('.mjs'));
      expect(own, `${command}.command chunk`).toBeDefined();
      const loaded = new Map<string, string>();
      const queue = ['factory-console.mjs', own!];
      for (let step = 0; queue.length > 0 && step < 1000; step++) {
        const name = queue.shift()!;
        if (loaded.has(name)) continue;
        const code = readFileSync(path.join(outDir, name), 'utf8');
        loaded.set(name, code);
        for (const match of code.matchAll(/^import\s[^;]*?from\s*"\.\/([^"]+)"/gm)) queue.push(match[1]!);
        for (const match of code.matchAll(/^import\s*"\.\/([^"]+)"/gm)) queue.push(match[1]!);
      }
      return loaded;
    };
    const status = staticallyLoaded('status');
    const fingerprint = staticallyLoaded('fingerprint');
    expect(status.size).toBeGreaterThan(2);
    for (const [name, code] of [...status, ...fingerprint])
      expect(code, `${name} bundles zod`).not.toMatch(/node_modules\/zod\//);
    for (const [name, code] of status)
      expect(code, `${name} imports node:crypto`).not.toMatch(/from\s*"node:crypto"/);
    // The check can fail: the command modules that validate with zod do load it.
    const activate = staticallyLoaded('activate');
    expect([...activate.values()].some((code) => /node_modules\/zod\//.test(code))).toBe(true);
  });

  it('refuses an output folder outside the repository', () => {
    expect(() =>
      execFileSync(process.execPath, ['scripts/build-cli.ts', '--out', path.join(tmpdir(), 'elsewhere')], {
        cwd: root,
        stdio: 'pipe',
      }),
    ).toThrow(/inside the repository/);
  });
});
