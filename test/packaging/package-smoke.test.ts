/**
 * Packaging smoke test: electron-builder with our electron-builder.yml, `--linux dir`,
 * against a stub Electron folder (nothing is downloaded). The stub executable carries
 * Electron's fuse sentinel and a V1 fuse wire in Electron's default state, which is
 * exactly what @electron/fuses searches for and flips in a real binary. We then read
 * the fuses back from the produced executable and list what went into app.asar.
 */
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FuseV1Options, FuseVersion, getCurrentFuseWire } from '@electron/fuses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const sentinel = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const enable = '1'.charCodeAt(0);
const disable = '0'.charCodeAt(0);
// Electron's shipped defaults: RunAsNode on, cookie encryption off, NODE_OPTIONS on,
// inspect on, ASAR integrity off, only-ASAR off, browser V8 snapshot off, file: privileges on.
const defaultWire = '10110001';

let folder: string;
let executable: string;
let build: ReturnType<typeof spawnSync>;

/** File names inside an asar archive: its header is a Chromium pickle holding a JSON tree. */
async function asarFiles(archive: string): Promise<string[]> {
  const bytes = await readFile(archive);
  const headerLength = bytes.readUInt32LE(12);
  const header = JSON.parse(bytes.subarray(16, 16 + headerLength).toString('utf8')) as AsarNode;
  const names: string[] = [];
  const walk = (node: AsarNode, prefix: string): void => {
    for (const [name, child] of Object.entries(node.files ?? {})) {
      if (child.files) walk(child, `${prefix}${name}/`);
      else names.push(`${prefix}${name}`);
    }
  };
  walk(header, '');
  return names.sort();
}
interface AsarNode {
  files?: Record<string, AsarNode>;
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'console-package-'));
  const stub = join(folder, 'electron-stub');
  await mkdir(join(stub, 'resources'), { recursive: true });
  await writeFile(
    join(stub, 'electron'),
    Buffer.concat([
      Buffer.from('#!/bin/sh\necho "stub electron"\n# '),
      Buffer.from(sentinel),
      Buffer.from([1, defaultWire.length]),
      Buffer.from(defaultWire),
      Buffer.from('\n'),
    ]),
  );
  await chmod(join(stub, 'electron'), 0o755);
  await writeFile(join(stub, 'version'), '41.7.1');
  await writeFile(join(stub, 'LICENSE'), 'stub');

  // A project with a build output, and files that must NOT be packaged.
  const project = join(folder, 'project');
  await mkdir(join(project, 'out', 'main'), { recursive: true });
  await mkdir(join(project, 'out', 'preload'), { recursive: true });
  await mkdir(join(project, 'out', 'renderer'), { recursive: true });
  await mkdir(join(project, 'electron', 'main'), { recursive: true });
  await writeFile(join(project, 'out', 'main', 'index.js'), 'export {};\n');
  await writeFile(join(project, 'out', 'main', 'index.js.map'), '{}');
  await writeFile(join(project, 'out', 'preload', 'index.cjs'), '"use strict";\n');
  await writeFile(join(project, 'out', 'renderer', 'index.html'), '<!doctype html>');
  await writeFile(join(project, 'electron', 'main', 'index.ts'), 'source');
  await writeFile(join(project, '.env'), 'SECRET=1');
  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'factory-console',
      version: '0.1.0',
      description: 'smoke',
      author: 'test',
      main: 'out/main/index.js',
      type: 'module',
    }),
  );

  build = spawnSync(
    process.execPath,
    [
      'node_modules/electron-builder/cli.js',
      '--projectDir',
      project,
      '--config',
      resolve('electron-builder.yml'),
      '--linux',
      'dir',
      '--x64',
      `-c.electronDist=${stub}`,
      `-c.directories.output=${join(folder, 'release')}`,
      '-c.electronVersion=41.7.1',
      '-c.npmRebuild=false',
    ],
    { encoding: 'utf8', timeout: 120_000, env: { ...process.env, CI: 'true' } },
  );
  executable = join(folder, 'release', 'linux-unpacked', 'factory-console');
}, 150_000);

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('packaging (electron-builder --linux dir, stub Electron)', () => {
  it('builds', () => {
    expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);
  });

  it('flips the fuses in the shipped binary', async () => {
    const wire = await getCurrentFuseWire(executable);
    expect(wire.version).toBe(FuseVersion.V1);
    const state = (option: FuseV1Options) => (wire as unknown as Record<number, number>)[option];
    expect(state(FuseV1Options.RunAsNode)).toBe(disable);
    expect(state(FuseV1Options.EnableNodeOptionsEnvironmentVariable)).toBe(disable);
    expect(state(FuseV1Options.EnableNodeCliInspectArguments)).toBe(disable);
    expect(state(FuseV1Options.EnableEmbeddedAsarIntegrityValidation)).toBe(enable);
    expect(state(FuseV1Options.OnlyLoadAppFromAsar)).toBe(enable);
    expect(state(FuseV1Options.EnableCookieEncryption)).toBe(enable);
    expect(state(FuseV1Options.GrantFileProtocolExtraPrivileges)).toBe(disable);
  });

  it('packs only the build output into app.asar', async () => {
    const files = await asarFiles(join(folder, 'release', 'linux-unpacked', 'resources', 'app.asar'));
    expect(files).toEqual([
      'out/main/index.js',
      'out/preload/index.cjs',
      'out/renderer/index.html',
      'package.json',
    ]);
  });

  it('configures installers for the three platforms', async () => {
    const config = await readFile('electron-builder.yml', 'utf8');
    for (const target of ['AppImage', 'deb', 'nsis', 'dmg'])
      expect(config).toMatch(new RegExp(`- ${target}\\b`));
    expect(config).toMatch(/^asar: true$/m);
  });
});
