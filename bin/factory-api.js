#!/usr/bin/env node
// Entry point of `factory-api`. The sources are TypeScript run directly by Node's
// type stripping (Node >= 22.18, installed as a dev dependency: see CONTRIBUTING.md "Runtime and tooling").
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `factory-api needs Node >= 22.18 (this is ${process.version}). Run it through npm so the ` +
      "project's Node is used: npx factory-api ...\n",
  );
  process.exit(1);
}
// Before anything loads node:sqlite: hides its ExperimentalWarning only (see the module).
const { quietSqliteWarning } = await import('../shared/node/process/quiet-sqlite-warning.ts');
quietSqliteWarning();
await import('../server/cli.ts');
