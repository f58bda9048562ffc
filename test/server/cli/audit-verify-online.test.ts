/**
 * `audit verify --server URL --email E --remember FILE` in both CLIs, against a real server on
 * loopback: the first run remembers the signed checkpoint, a later one proves the log only grew
 * by one consistency proof (no export is downloaded: the log records no `audit_export`), and a
 * remembered root from another history, a log shorter than remembered or another signing key
 * are refused with exit 1 while the remembered checkpoint stays as it was.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFactory, type RunningFactory } from '../../../server/factory.ts';
import { formatVerifierKey } from '../../../shared/node/audit/signed-note.ts';

const PASSWORD = 'online-verify-password-1234';
const CLIS = {
  'factory-api': 'server/cli.ts',
  'factory-console': 'electron/core/shells/cli/index.ts',
} as const;
let dataDir: string;
let outDir: string;
let factory: RunningFactory;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'online-verify-factory-'));
  outDir = await mkdtemp(path.join(tmpdir(), 'online-verify-out-'));
  factory = await startFactory({ dataDir, tls: 'off', devBootstrapPassword: PASSWORD, logLevel: 'silent' });
}, 60_000);

afterAll(async () => {
  await factory?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(outDir, { recursive: true, force: true });
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a CLI without blocking this process (the server answers from it). */
function cli(which: keyof typeof CLIS, args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CLIS[which], 'audit', 'verify', ...args],
      {
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, FACTORY_PASSWORD: PASSWORD, FACTORY_CONSOLE_HOME: path.join(outDir, 'home') },
      },
      (error, stdout, stderr) => {
        const code = error ? (error as { code?: unknown }).code : 0;
        done({ status: typeof code === 'number' ? code : null, stdout, stderr });
      },
    );
  });
}

async function signIn(): Promise<string> {
  const response = await fetch(`${factory.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: factory.adminEmail, password: PASSWORD }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function exportsAudited(): Promise<number> {
  const token = await signIn();
  const response = await fetch(`${factory.url}/api/v1/audit?type=audit_export&limit=10`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return ((await response.json()) as { entries: unknown[] }).entries.length;
}

type RememberedFile = { logs: Record<string, { size: number; root_hash: string }> };

// Each case spawns a CLI on the Node it runs on: allow a slow, shared machine its time.
describe.each(Object.keys(CLIS) as (keyof typeof CLIS)[])(
  '%s audit verify --server',
  { timeout: 120_000 },
  (which) => {
    const remember = () => path.join(outDir, `${which}-remembered.json`);
    const online = (extra: string[] = []) =>
      cli(which, [
        '--server',
        factory.url,
        '--email',
        factory.adminEmail,
        '--remember',
        remember(),
        ...extra,
      ]);

    it('remembers the first checkpoint, then proves the log only grew by a consistency proof', async () => {
      const first = await online();
      expect(first.status).toBe(0);
      expect(first.stdout).toMatch(
        /^OK: nothing was remembered for \S+\/tlog; its signed checkpoint of size \d+/,
      );
      const sizeA = Object.values((JSON.parse(await readFile(remember(), 'utf8')) as RememberedFile).logs)[0]!
        .size;
      await signIn();
      await signIn();
      const second = await online();
      expect(second.status, second.stdout + second.stderr).toBe(0);
      const match = /^OK: the log only grew since the remembered checkpoint \(seq (\d+) → (\d+)\)/.exec(
        second.stdout,
      );
      expect(match, second.stdout).not.toBeNull();
      expect(Number(match![1])).toBe(sizeA);
      expect(Number(match![2])).toBeGreaterThan(sizeA + 1);
      const sizeB = Object.values((JSON.parse(await readFile(remember(), 'utf8')) as RememberedFile).logs)[0]!
        .size;
      expect(sizeB).toBe(Number(match![2]));
      // Proofs only: the server recorded no export.
      expect(await exportsAudited()).toBe(0);
      const json = await online(['--json']);
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: true });
    });

    it('refuses a remembered root from another history, and keeps it', async () => {
      const original = await readFile(remember(), 'utf8');
      const file = JSON.parse(original) as RememberedFile;
      const log = Object.values(file.logs)[0]!;
      log.root_hash = `${log.root_hash[0] === 'a' ? 'b' : 'a'}${log.root_hash.slice(1)}`;
      const forked = `${JSON.stringify(file, null, 2)}\n`;
      await writeFile(remember(), forked);
      await signIn();
      const run = await online();
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(new RegExp(`^TAMPERED or INVALID: proof_invalid at seq ${log.size}\\n`));
      expect(run.stdout).toMatch(/the consistency proof \(seq \d+ → \d+\) does not verify/);
      expect(await readFile(remember(), 'utf8')).toBe(forked);
      await writeFile(remember(), original);
    });

    it('refuses a log shorter than the remembered checkpoint', async () => {
      const original = await readFile(remember(), 'utf8');
      const file = JSON.parse(original) as RememberedFile;
      Object.values(file.logs)[0]!.size += 500;
      await writeFile(remember(), `${JSON.stringify(file, null, 2)}\n`);
      const run = await online();
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/^TAMPERED or INVALID: checkpoint_older_than_remembered at seq \d+\n/);
      expect(run.stdout).toMatch(/the log is shorter than when you last looked/);
      await writeFile(remember(), original);
    });

    it('refuses a server whose key is not the --key given, and a usage error with exit 2', async () => {
      const other = formatVerifierKey('factory-api.local/audit/another/tlog', randomBytes(32));
      const run = await cli(which, [
        '--server',
        factory.url,
        '--email',
        factory.adminEmail,
        '--remember',
        path.join(outDir, `${which}-fresh.json`),
        '--key',
        other,
      ]);
      expect(run.stdout).toMatch(/^TAMPERED or INVALID: checkpoint_invalid at seq \?\n.*not the --key given/);
      expect(run.status).toBe(1);
      const usage = await cli(which, ['export.jsonl', '--server', factory.url, '--email', 'a@b.c']);
      expect(usage.status).toBe(2);
      expect(usage.stderr).toMatch(
        /--server checks the remembered checkpoint by a proof: give no export file/,
      );
    });
  },
);
