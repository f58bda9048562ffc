/**
 * An independent verifier accepts the audit log: a small Go program (tlog-verifier/main.go)
 * built offline against Debian's golang.org/x/mod (sumdb/note and sumdb/tlog, the reference
 * implementation of signed notes and RFC 6962 trees), run against a real server on loopback.
 * It checks the checkpoint signatures, the root of the exported lines, inclusion and
 * consistency proofs and the C2SP tiles and entry bundles (docs/SECURITY.md). A loopback proxy
 * that alters one response at a time shows each check can fail, and two servers grown from one
 * copied data directory give a real cut tail and a real fork under the same signing key.
 */
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditCheckpoint } from '../../../shared/common/audit-event.ts';
import {
  bearer,
  listenOnLoopback,
  relaxRateLimits,
  startTestApp,
  tempDir,
  type Session,
  type TestApp,
} from '../helpers.ts';
import { adminSession, apiKeyWith, handoff } from './audit-helpers.ts';

const SOURCE = resolve(import.meta.dirname, 'tlog-verifier');
/** Where Debian's golang-golang-x-mod-dev puts the module the verifier's go.mod points at. */
const X_MOD = '/usr/share/gocode/src/golang.org/x/mod/sumdb/tlog';
const INSTALL = 'sudo apt-get install -y --no-install-recommends golang-go golang-golang-x-mod-dev';

/** Throws one line naming the Debian packages when `go` or x/mod is missing. */
export function requireGo(env: NodeJS.ProcessEnv = process.env, xMod = X_MOD): void {
  const probe = spawnSync('go', ['version'], { env, encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new Error(`the Go verifier needs go: ${INSTALL}`);
  if (!existsSync(xMod)) throw new Error(`the Go verifier needs golang.org/x/mod: ${INSTALL}`);
}

const work = mkdtempSync(join(tmpdir(), 'tlog-go-verifier-'));
const binary = join(work, 'tlog-verifier');
/** Offline: no module proxy, no toolchain download, the module replaced by Debian's copy. */
const goEnv = {
  ...process.env,
  GOFLAGS: '-mod=mod',
  GOPROXY: 'off',
  GOSUMDB: 'off',
  GOTOOLCHAIN: 'local',
  GO111MODULE: 'on',
  GOPATH: join(work, 'gopath'),
  GOCACHE: join(tmpdir(), 'factory-console-go-build-cache'),
};

function build(): void {
  requireGo();
  const result = spawnSync('go', ['build', '-o', binary, '.'], {
    cwd: SOURCE,
    env: goEnv,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (result.status !== 0) throw new Error(`go build failed: ${result.stderr}${result.stdout}`);
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the verifier without blocking this process's event loop (the server lives in it). */
function verify(base: string, token: string, verifierKey: string, extra: string[] = []): Promise<Run> {
  return new Promise((done) => {
    execFile(
      binary,
      ['-url', base, '-vkey', verifierKey, ...extra],
      { env: { ...process.env, FACTORY_TOKEN: token }, encoding: 'utf8', timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (error as { code?: unknown }).code : 0;
        done({ status: typeof code === 'number' ? code : null, stdout, stderr });
      },
    );
  });
}

/** A loopback proxy to `target` that may rewrite one response body per request path. */
async function tamperingProxy(
  target: string,
  tamper: (path: string, body: Buffer) => Buffer,
): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((request, response) => {
    void (async () => {
      const upstream = await fetch(`${target}${request.url ?? '/'}`, {
        headers: { authorization: request.headers.authorization ?? '' },
      });
      const original = Buffer.from(await upstream.arrayBuffer());
      const body = tamper(request.url ?? '/', original);
      if (!body.equals(original)) hits += 1;
      response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '' });
      response.end(body);
    })().catch((error: unknown) => {
      response.writeHead(502);
      response.end(String(error));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** Flips one bit of the first base64 hash in a JSON proof. */
function flipFirstProofHash(body: Buffer): Buffer {
  const proof = JSON.parse(body.toString('utf8')) as { hashes: string[] };
  const first = Buffer.from(proof.hashes[0]!, 'base64');
  first[0] = first[0]! ^ 1;
  proof.hashes[0] = first.toString('base64');
  return Buffer.from(JSON.stringify(proof));
}

async function appendMany(app: TestApp, key: string, count: number, tag: string): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const body = handoff(index);
    const response = await app.app.inject({
      method: 'POST',
      url: '/api/v1/audit/events',
      headers: { 'x-api-key': key },
      payload: { ...body, details: { ...body.details, reason: `${tag} ${index}` } },
    });
    if (response.statusCode !== 201) throw new Error(`append: ${response.statusCode} ${response.body}`);
  }
}

async function checkpointOf(app: TestApp, session: Session): Promise<AuditCheckpoint> {
  const response = await app.app.inject({
    method: 'GET',
    url: '/api/v1/audit/checkpoint',
    headers: bearer(session.access_token),
  });
  expect(response.statusCode).toBe(200);
  return response.json() as AuditCheckpoint;
}

describe('a missing Go toolchain', () => {
  it('fails with one line that says what to install (never a skip)', () => {
    expect(() => requireGo({ ...process.env, PATH: work })).toThrow(
      /^the Go verifier needs go: sudo apt-get install -y --no-install-recommends golang-go golang-golang-x-mod-dev$/,
    );
    expect(() => requireGo(process.env, join(work, 'no-x-mod'))).toThrow(
      /needs golang\.org\/x\/mod: .*golang-golang-x-mod-dev$/,
    );
  });
});

describe('the Go reference verifier (golang.org/x/mod/sumdb/tlog and note)', () => {
  let primary: TestApp;
  let primaryUrl: string;
  let admin: Session;
  let verifierKey: string;
  let copyDir: string;

  beforeAll(async () => {
    build();
    primary = await startTestApp();
    admin = await adminSession(primary.app);
    await relaxRateLimits(primary.app, admin);
    const key = await apiKeyWith(primary.app, admin, ['audit:append']);
    await appendMany(primary, key, 40, 'shared');
    // A byte-for-byte copy of the log at this point: later it is a cut tail, then a fork.
    copyDir = await tempDir('tlog-fork-');
    const dataDir = primary.dataDir;
    await primary.app.close();
    cpSync(dataDir, copyDir, { recursive: true });
    primary = await startTestApp({}, { dataDir });
    admin = await adminSession(primary.app);
    await appendMany(primary, key, 300, 'primary');
    primaryUrl = await listenOnLoopback(primary.app);
    verifierKey = (await checkpointOf(primary, admin)).verifier_key;
  }, 600_000);

  afterAll(async () => {
    await primary.close();
    rmSync(primary.dataDir, { recursive: true, force: true });
    rmSync(copyDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('accepts the checkpoints, the exported root, proofs, tiles and entry bundles', async () => {
    const run = await verify(primaryUrl, admin.access_token, verifierKey);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /^ok export: 34\d entries hash to the signed root of .*\/tlog \(tlog\.TreeHash\)$/m,
    );
    expect(run.stdout).toMatch(/^ok checkpoint: .*\/tlog size 34\d, signature valid/m);
    expect(run.stdout).toMatch(/^ok consistency: 7 proofs into size 34\d verify/m);
    expect(run.stdout).toMatch(/^ok inclusion: 7 proofs in size 34\d verify/m);
    // 300+ leaves: a full and a partial level-0 tile, a partial level-1 tile, two entry bundles.
    expect(run.stdout).toMatch(/^ok tiles: \d+ tiles and 2 entry bundles verify/m);
    expect(run.stdout.trim().endsWith('VERIFIED')).toBe(true);
  });

  const tamperings: { name: string; tamper: (path: string, body: Buffer) => Buffer; error: RegExp }[] = [
    {
      name: 'a tampered entry in the export',
      tamper: (path, body) =>
        path.startsWith('/api/v1/audit/export')
          ? Buffer.from(body.toString('utf8').replace('primary 7"', 'primary 8"'))
          : body,
      error: /the exported entries hash to \S+, not the signed root/,
    },
    {
      name: 'a cut tail in the export',
      tamper: (path, body) => {
        if (!path.startsWith('/api/v1/audit/export')) return body;
        const lines = body.toString('utf8').trimEnd().split('\n');
        return Buffer.from(`${[...lines.slice(0, -2), lines.at(-1)].join('\n')}\n`);
      },
      error: /the export has 3\d\d entries but its checkpoint covers 3\d\d/,
    },
    {
      name: 'a forged checkpoint',
      tamper: (path, body) =>
        path === '/api/v1/audit/tlog/checkpoint'
          ? Buffer.from(
              body.toString('utf8').replace(/\n(\d+)\n/, (_m, size: string) => `\n${Number(size) + 1}\n`),
            )
          : body,
      error: /newest checkpoint: checkpoint signature: /,
    },
    {
      name: 'a tampered inclusion proof',
      tamper: (path, body) =>
        path.startsWith('/api/v1/audit/proof/inclusion') ? flipFirstProofHash(body) : body,
      error: /inclusion of seq \d+ in size \d+ does not verify \(tlog\.CheckRecord\)/,
    },
    {
      name: 'a tampered consistency proof',
      tamper: (path, body) =>
        path.startsWith('/api/v1/audit/proof/consistency') ? flipFirstProofHash(body) : body,
      error: /consistency from the export \d+→\d+ does not verify \(tlog\.CheckTree\)/,
    },
    {
      name: 'a tampered hash tile',
      tamper: (path, body) => {
        if (path !== '/api/v1/audit/tlog/tile/0/000') return body;
        const copy = Buffer.from(body);
        copy[100] = copy[100]! ^ 0x80;
        return copy;
      },
      error: /^FAIL: tiles( do not verify against the signed root|: inclusion of seq \d+ does not verify)/,
    },
    {
      name: 'a tampered entry bundle',
      tamper: (path, body) =>
        path === '/api/v1/audit/tlog/tile/entries/000'
          ? Buffer.from(body.toString('latin1').replace('shared 3"', 'shared 4"'), 'latin1')
          : body,
      error: /entry bundle: seq \d+ is not the leaf the signed tree holds/,
    },
  ];

  for (const { name, tamper, error } of tamperings) {
    it(`rejects ${name}`, async () => {
      const proxy = await tamperingProxy(primaryUrl, tamper);
      try {
        const run = await verify(proxy.url, admin.access_token, verifierKey);
        expect(proxy.hits(), 'the proxy altered a response').toBeGreaterThan(0);
        expect(run.status, run.stdout).toBe(1);
        expect(run.stderr).toMatch(error);
        expect(run.stdout).not.toMatch(/VERIFIED/);
      } finally {
        await proxy.close();
      }
    });
  }

  it('rejects a log cut back behind a remembered checkpoint, then the same log forked', async () => {
    const later = await checkpointOf(primary, admin);
    const remembered = join(work, 'remembered.note');
    writeFileSync(remembered, later.note);
    // The primary itself: consistent with what was remembered.
    const honest = await verify(primaryUrl, admin.access_token, verifierKey, ['-remember', remembered]);
    expect(honest.status, honest.stderr).toBe(0);
    expect(honest.stdout).toMatch(
      new RegExp(`^ok remembered: the log only grew since size ${later.size}`, 'm'),
    );

    // The copy is the primary's first 40-odd entries, under the same signing key: a cut tail.
    const copy = await startTestApp({}, { dataDir: copyDir });
    try {
      const copyAdmin = await adminSession(copy.app);
      await relaxRateLimits(copy.app, copyAdmin);
      const copyUrl = await listenOnLoopback(copy.app);
      expect((await checkpointOf(copy, copyAdmin)).verifier_key).toBe(verifierKey);
      const cut = await verify(copyUrl, copyAdmin.access_token, verifierKey, ['-remember', remembered]);
      expect(cut.status, cut.stdout).toBe(1);
      expect(cut.stderr).toMatch(
        new RegExp(
          `the log \\(size \\d+\\) is shorter than the remembered checkpoint \\(size ${later.size}\\)`,
        ),
      );

      // Grown past the remembered size with other entries: a fork, signed with the same key.
      const key = await apiKeyWith(copy.app, copyAdmin, ['audit:append']);
      await appendMany(copy, key, later.size, 'fork');
      const fork = await verify(copyUrl, copyAdmin.access_token, verifierKey, ['-remember', remembered]);
      expect(fork.status, fork.stdout).toBe(1);
      expect(fork.stderr).toMatch(
        new RegExp(`consistency from the remembered checkpoint ${later.size}→\\d+ does not verify`),
      );
      // On its own the fork is a well-formed log: only the remembered checkpoint exposes it.
      const alone = await verify(copyUrl, copyAdmin.access_token, verifierKey);
      expect(alone.status, alone.stderr).toBe(0);
    } finally {
      await copy.close();
    }
  }, 300_000);

  it('refuses a usage error with exit 2', async () => {
    const run = await verify(primaryUrl, '', verifierKey);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^FAIL: usage: /);
  });
});
