/**
 * The renderer's production build (`npm run build:renderer`, renderer/vite.config.ts) and
 * its split: what index.html loads holds neither zod, the chart library nor the WebAuthn
 * library; and every Mantine class a chunk's code names is styled by a stylesheet loaded
 * with that chunk (the shell's list in main.tsx, or the chunk's own imports:
 * docs/ARCHITECTURE.md §Where to add what, "a view"), so no component shows unstyled.
 * Built into a scratch folder under out/, so renderer/dist is left alone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
let outDir: string;

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  css?: string[];
}
let manifest: Record<string, ManifestChunk>;

beforeAll(() => {
  mkdirSync(path.join(root, 'out'), { recursive: true });
  outDir = mkdtempSync(path.join(root, 'out', 'build-renderer-test-'));
  execFileSync(
    process.execPath,
    [
      'node_modules/vite/bin/vite.js',
      'build',
      '--config',
      'renderer/vite.config.ts',
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--manifest',
      '--logLevel',
      'warn',
    ],
    // Vitest sets NODE_ENV=test; the build operators run is a production one.
    { cwd: root, env: { ...process.env, NODE_ENV: 'production' }, encoding: 'utf8' },
  );
  manifest = JSON.parse(readFileSync(path.join(outDir, '.vite', 'manifest.json'), 'utf8')) as Record<
    string,
    ManifestChunk
  >;
}, 120_000);

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

const read = (file: string): string => readFileSync(path.join(outDir, file), 'utf8');
const classesIn = (text: string): Set<string> => new Set(text.match(/\bm_[0-9a-f]{6,8}\b/g) ?? []);

/** A chunk and everything it imports statically: what loads with it. */
function closure(key: string, seen = new Set<string>()): Set<string> {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const imported of manifest[key]?.imports ?? []) closure(imported, seen);
  return seen;
}

describe('build:renderer', () => {
  it('index.html loads neither zod, the charts nor the WebAuthn library', () => {
    const html = read('index.html');
    const initial = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+\.js)"/g)].map((match) => match[1]!);
    expect(initial.length).toBeGreaterThan(0);
    const code = initial.map(read).join('\n');
    expect(code).not.toContain('ZodError');
    expect(code).not.toContain('recharts-wrapper');
    expect(code).not.toContain('startAuthentication');
    // They are in the build, in chunks loaded on demand.
    const all = readdirSync(path.join(outDir, 'assets'))
      .filter((file) => file.endsWith('.js'))
      .map((file) => read(path.join('assets', file)))
      .join('\n');
    for (const marker of ['ZodError', 'recharts-wrapper', 'startAuthentication'])
      expect(all).toContain(marker);
  });

  it("every chunk's Mantine classes are styled by the CSS loaded with it", () => {
    const styles = path.join(root, 'node_modules', '@mantine', 'core', 'styles');
    const owner = new Map<string, string>();
    for (const file of readdirSync(styles).filter(
      (name) => name.endsWith('.css') && !name.includes('.layer.'),
    ))
      for (const name of classesIn(readFileSync(path.join(styles, file), 'utf8'))) owner.set(name, file);
    // The other Mantine packages (notifications, dates, …) ship one stylesheet each.
    const packages = path.join(root, 'node_modules', '@mantine');
    for (const name of readdirSync(packages).filter((dir) => dir !== 'core')) {
      const sheet = path.join(packages, name, 'styles.css');
      if (!existsSync(sheet)) continue;
      for (const found of classesIn(readFileSync(sheet, 'utf8')))
        owner.set(found, `@mantine/${name}/styles.css`);
    }
    expect([...owner.values()]).toContain('@mantine/notifications/styles.css');
    expect(owner.size).toBeGreaterThan(300);

    const entry = Object.keys(manifest).find((key) => manifest[key]?.isEntry);
    expect(entry).toBeDefined();
    const cssOf = (keys: Set<string>): string[] => [...keys].flatMap((key) => manifest[key]?.css ?? []);
    const initialCss = cssOf(closure(entry!));
    const missing: string[] = [];
    let checked = 0;
    for (const key of Object.keys(manifest).filter((name) => manifest[name]!.file.endsWith('.js'))) {
      const chunks = closure(key);
      const styled = new Set([...initialCss, ...cssOf(chunks)].flatMap((file) => [...classesIn(read(file))]));
      const named = [...chunks].flatMap((chunk) => [...classesIn(read(manifest[chunk]!.file))]);
      const unstyled = new Set(
        named.filter((name) => owner.has(name) && !styled.has(name)).map((name) => owner.get(name)),
      );
      checked += named.length;
      if (unstyled.size > 0) missing.push(`${key}: ${[...unstyled].join(', ')}`);
    }
    expect(checked).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });
});
