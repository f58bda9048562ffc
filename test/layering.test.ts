/**
 * The import table of docs/ARCHITECTURE.md §Areas and layers is enforced, not hoped for: a file in shared/common
 * that imports `node:fs`, and a file in electron/core that imports `electron`, are
 * rejected by lint, and the first also by the compiler (shared/common has no Node types).
 */
import { ESLint } from 'eslint';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root });

async function restrictedImportMessages(relativePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(root, relativePath) });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'no-restricted-imports')
    .map((message) => message.message);
}

/** Type-checks one file with the compiler options of an area's tsconfig. */
function compileErrors(tsconfigPath: string, source: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, tsconfigPath), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: () => undefined,
  });
  if (!config) throw new Error(`cannot read ${tsconfigPath}`);
  const dir = mkdtempSync(join(tmpdir(), 'layering-'));
  try {
    const file = join(dir, 'fixture.ts');
    writeFileSync(file, source);
    const options = {
      ...config.options,
      composite: false,
      noEmit: true,
      emitDeclarationOnly: false,
      rootDir: dir,
    };
    const program = ts.createProgram([file], options);
    return ts
      .getPreEmitDiagnostics(program)
      .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('layering', () => {
  it('rejects node:fs in shared/common (lint)', async () => {
    const messages = await restrictedImportMessages(
      'shared/common/__layering_fixture__.ts',
      "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
    );
    expect(messages.join('\n')).toMatch(/shared\/common runs everywhere/);
  });

  it('rejects a bare Node builtin in shared/common (lint)', async () => {
    const messages = await restrictedImportMessages(
      'shared/common/__layering_fixture__.ts',
      "import path from 'path';\nexport const join = path.join;\n",
    );
    expect(messages).toHaveLength(1);
  });

  it('rejects node:fs and Buffer in shared/common (compiler: no Node types there)', () => {
    const errors = compileErrors(
      'shared/common/tsconfig.json',
      "import { readFileSync } from 'node:fs';\nexport const size = Buffer.byteLength('x') + readFileSync.length;\n",
    );
    expect(errors.some((message) => message.includes("'node:fs'"))).toBe(true);
    expect(errors.some((message) => message.includes("'Buffer'"))).toBe(true);
  });

  it('accepts plain code in shared/common (the checks are not blanket refusals)', async () => {
    const source = "import { ErrorCode } from './errors.ts';\nexport const code = ErrorCode.Internal;\n";
    expect(await restrictedImportMessages('shared/common/__layering_fixture__.ts', source)).toEqual([]);
  });

  it('rejects electron in electron/core (lint)', async () => {
    const messages = await restrictedImportMessages(
      'electron/core/__layering_fixture__.ts',
      "import { app } from 'electron';\nexport const name = app.getName();\n",
    );
    expect(messages.join('\n')).toMatch(/electron\/core runs under plain Node/);
  });

  it('allows electron in electron/main', async () => {
    const source = "import { app } from 'electron';\nexport const name = app.getName();\n";
    expect(await restrictedImportMessages('electron/main/__layering_fixture__.ts', source)).toEqual([]);
  });

  it('lets electron/core reach the server only through server/factory.ts', async () => {
    const viaDoor = "export { startFactory } from '../../server/factory.ts';\n";
    const around = "export { buildApp } from '../../server/app.ts';\n";
    expect(await restrictedImportMessages('electron/core/__layering_fixture__.ts', viaDoor)).toEqual([]);
    expect(await restrictedImportMessages('electron/core/__layering_fixture__.ts', around)).toHaveLength(1);
  });

  it('keeps the renderer off Node and off the other folders', async () => {
    const source =
      "import { x } from '../../electron/core/x.ts';\nimport fs from 'node:fs';\nexport { x, fs };\n";
    expect(await restrictedImportMessages('renderer/src/__layering_fixture__.ts', source)).toHaveLength(2);
  });

  it('keeps the preload to electron and shared/common', async () => {
    const source =
      "import { z } from 'zod';\nimport { ipcRenderer } from 'electron';\nexport { z, ipcRenderer };\n";
    expect(await restrictedImportMessages('electron/preload/__layering_fixture__.ts', source)).toHaveLength(
      1,
    );
  });
});

/** Every rule id that fires on `source` as if it were the file at `relativePath`. */
async function ruleIds(relativePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(root, relativePath) });
  return (result?.messages ?? []).map((message) => message.ruleId ?? message.message);
}

describe('layering inside electron/core', () => {
  it('rejects a cross-domain import, and accepts the ones the table allows', async () => {
    const vaultToAudit = await restrictedImportMessages(
      'electron/core/domains/vault/__layering_fixture__.ts',
      "import { summariseEntry } from '../audit/audit.service.ts';\nexport const s = summariseEntry;\n",
    );
    expect(vaultToAudit.join('\n')).toMatch(/domains\/vault may import domains\/machine/);
    const machineToVault = await restrictedImportMessages(
      'electron/core/domains/machine/__layering_fixture__.ts',
      "import { listRecords } from '../vault/vault.store.ts';\nexport const l = listRecords;\n",
    );
    expect(machineToVault.join('\n')).toMatch(/no other domain/);
    expect(
      await restrictedImportMessages(
        'electron/core/domains/vault/__layering_fixture__.ts',
        "import { readActivation } from '../machine/activation.store.ts';\nexport const r = readActivation;\n",
      ),
    ).toEqual([]);
  });

  it('keeps factory-api and platform below the domains, and the domains off the router', async () => {
    const upward = await restrictedImportMessages(
      'electron/core/factory-api/__layering_fixture__.ts',
      "import { SessionService } from '../domains/session/session.service.ts';\nexport const s = SessionService;\n",
    );
    expect(upward.join('\n')).toMatch(/one way to the server/);
    const platform = await restrictedImportMessages(
      'electron/core/platform/__layering_fixture__.ts',
      "import { FactoryConnection } from '../factory-api/factory-connection.ts';\nexport const f = FactoryConnection;\n",
    );
    expect(platform).toHaveLength(1);
    const router = await restrictedImportMessages(
      'electron/core/domains/status/__layering_fixture__.ts',
      "import { IpcRouter } from '../../ipc/router.ts';\nexport const r = IpcRouter;\n",
    );
    expect(router.join('\n')).toMatch(/router is not its business/);
  });

  it('lets only platform/environment.ts read process.env', async () => {
    const source = 'export const home = process.env.HOME;\n';
    expect(await ruleIds('electron/core/domains/vault/__layering_fixture__.ts', source)).toContain(
      'no-restricted-properties',
    );
    expect(await ruleIds('electron/core/platform/environment.ts', source)).not.toContain(
      'no-restricted-properties',
    );
  });

  it('rejects an import cycle in electron/core and shared/node', async () => {
    for (const folder of ['electron/core/domains/audit', 'shared/node/audit']) {
      const a = join(root, folder, '__cycle_fixture_a__.ts');
      const b = join(root, folder, '__cycle_fixture_b__.ts');
      writeFileSync(a, "import { b } from './__cycle_fixture_b__.ts';\nexport const a = (): unknown => b;\n");
      writeFileSync(b, "import { a } from './__cycle_fixture_a__.ts';\nexport const b = (): unknown => a;\n");
      try {
        const [result] = await new ESLint({ cwd: root, cache: false }).lintFiles([a]);
        expect(result?.messages.map((message) => message.ruleId)).toContain('import-x/no-cycle');
      } finally {
        rmSync(a, { force: true });
        rmSync(b, { force: true });
      }
    }
  });
});
