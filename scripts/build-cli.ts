/**
 * `npm run build:cli`: bundles the `factory-console` CLI (electron/core/shells/cli/index.ts)
 * and the worker threads it starts into out/cli/, so `bin/factory-console.js` loads a
 * few plain-JavaScript files instead of type-stripping some hundred TypeScript modules
 * on every start (see docs/CLI.md, "Start-up"). Packages from node_modules stay
 * external (they are loaded from node_modules as usual), except the few in BUNDLED:
 * zod is some ninety ES modules, and resolving and loading them one by one was the
 * largest part of `status`'s start-up.
 *
 * out/cli/inputs.json lists every bundled source with its size and mtime: the bin
 * uses the bundle only while all of them are unchanged, and runs the sources
 * otherwise, so an edit is never shadowed by a stale bundle.
 */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { rolldown, type Plugin } from 'rolldown';

const root = path.resolve(import.meta.dirname, '..');
/** `--out DIR` (tests) builds elsewhere; the bin runs only out/cli. */
const outArg = process.argv.indexOf('--out');
const outDir = outArg === -1 ? path.join(root, 'out', 'cli') : path.resolve(process.argv[outArg + 1] ?? '');
if (outArg !== -1 && !outDir.startsWith(`${root}${path.sep}`))
  throw new Error('--out must be a folder inside the repository (packages resolve from its node_modules)');
/** Packages bundled into out/cli instead of loaded from node_modules (pure JavaScript, many small modules). */
const BUNDLED = ['zod'];

/** Every `*.worker.ts` the bundled code may start with `new Worker(new URL('./X.worker.ts', import.meta.url))`. */
function workerEntries(): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.worker.ts')) {
        const name = entry.name.slice(0, -'.ts'.length);
        if (entries[name] !== undefined)
          throw new Error(`two workers named ${entry.name}: bundle names must be unique`);
        entries[name] = full;
      }
    }
  };
  for (const dir of ['shared/node', 'electron/core']) walk(path.join(root, dir));
  return entries;
}

/** Worker URLs point at the bundled `.mjs` beside the chunk that starts them (all chunks share one folder). */
const workerUrls: Plugin = {
  name: 'factory-console-worker-urls',
  transform(code) {
    const rewritten = code.replace(
      /new URL\((['"])\.\/([\w.-]+\.worker)\.ts\1,\s*import\.meta\.url\)/g,
      (_match, quote: string, name: string) => `new URL(${quote}./${name}.mjs${quote}, import.meta.url)`,
    );
    return rewritten === code ? null : { code: rewritten };
  },
};

await rm(outDir, { recursive: true, force: true });
const bundle = await rolldown({
  input: {
    'factory-console': path.join(root, 'electron/core/shells/cli/index.ts'),
    // The bin installs it before the program loads (node:sqlite's warning filter).
    'quiet-sqlite-warning': path.join(root, 'shared/node/process/quiet-sqlite-warning.ts'),
    ...workerEntries(),
  },
  platform: 'node',
  // node: built-ins and packages stay imports; the repository's own sources and BUNDLED are bundled.
  external: (id) =>
    id.startsWith('node:') ||
    (/^[a-z@][^:]*$/.test(id) && !BUNDLED.some((name) => id === name || id.startsWith(`${name}/`))),
  plugins: [workerUrls],
  logLevel: 'warn',
});
const { output } = await bundle.write({
  dir: outDir,
  format: 'esm',
  entryFileNames: '[name].mjs',
  chunkFileNames: '[name]-[hash].mjs',
});
await bundle.close();

const sources = new Set<string>();
for (const item of output)
  if (item.type === 'chunk') for (const id of item.moduleIds) if (path.isAbsolute(id)) sources.add(id);
const inputs = [...sources].sort().map((file) => {
  const info = statSync(file);
  return { path: path.relative(root, file), size: info.size, mtimeMs: info.mtimeMs };
});
writeFileSync(path.join(outDir, 'inputs.json'), `${JSON.stringify({ inputs }, null, 1)}\n`);
process.stdout.write(
  `out/cli: ${output.filter((item) => item.type === 'chunk').length} files from ${inputs.length} sources\n`,
);
