#!/usr/bin/env node
// Entry point of `factory-console`. The sources are TypeScript run directly by Node's
// type stripping (Node >= 22.18, installed as a dev dependency: see CONTRIBUTING.md "Runtime and tooling").
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `factory-console needs Node >= 22.18 (this is ${process.version}). Run it through npm so the ` +
      "project's Node is used: npx factory-console ...\n",
  );
  process.exit(1);
}
// The bundle of `npm run build:cli` (out/cli/) starts several times faster than the
// TypeScript sources; it is used only while every source it was built from is unchanged
// (size and mtime in out/cli/inputs.json), so an edit never runs stale code.
// The built-ins come through process.getBuiltinModule, not `import … from 'node:fs'`: the ES
// module wrapper of node:fs reads every export, which loads its streams (some 10 ms).
const { readFileSync, statSync } = process.getBuiltinModule('node:fs');
const module = process.getBuiltinModule('node:module');

const root = new URL('..', import.meta.url);
function bundleIsFresh() {
  try {
    const { inputs } = JSON.parse(readFileSync(new URL('out/cli/inputs.json', root), 'utf8'));
    return inputs.every((input) => {
      const info = statSync(new URL(input.path, root));
      return info.size === input.size && info.mtimeMs === input.mtimeMs;
    });
  } catch {
    return false;
  }
}
if (process.env.FACTORY_CONSOLE_FROM_SOURCES !== '1' && bundleIsFresh()) {
  // V8's code cache (in the OS temporary folder) for the bundle: warm starts skip compiling.
  module.enableCompileCache?.();
  // Before anything loads node:sqlite: hides its ExperimentalWarning only (see the module).
  (await import('../out/cli/quiet-sqlite-warning.mjs')).quietSqliteWarning();
  await import('../out/cli/factory-console.mjs');
} else {
  (await import('../shared/node/process/quiet-sqlite-warning.ts')).quietSqliteWarning();
  await import('../electron/core/shells/cli/index.ts');
}
