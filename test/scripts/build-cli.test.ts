/**
 * `npm run build:cli` (scripts/build-cli.ts): the bundle it writes runs the CLI, and
 * `status` loads zod from the bundle rather than as some ninety modules from
 * node_modules (docs/CLI.md "Start-up"). Built into a scratch folder under out/, so the
 * bundle the bin uses (out/cli) is left alone.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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

  it('refuses an output folder outside the repository', () => {
    expect(() =>
      execFileSync(process.execPath, ['scripts/build-cli.ts', '--out', path.join(tmpdir(), 'elsewhere')], {
        cwd: root,
        stdio: 'pipe',
      }),
    ).toThrow(/inside the repository/);
  });
});
