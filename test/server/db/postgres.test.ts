/**
 * The Factory API on a real PostgreSQL server (project `node-pg`, docs/SERVER.md §Running on
 * PostgreSQL): the test apps really are on PostgreSQL, a machine without the server binaries
 * gets one line saying what to install, and two instances on one database append to one
 * gap-free audit chain whose Merkle tree and signed checkpoints verify.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditVerifyResult } from '../../../shared/common/audit-event.ts';
import { ChainVerifier } from '../../../shared/node/audit/audit-chain-verifier.ts';
import { openCheckpoint } from '../../../shared/node/audit/audit-checkpoint.ts';
import { parseVerifierKey } from '../../../shared/node/audit/signed-note.ts';
import type { AuditService } from '../../../server/audit/audit.service.ts';
import { rowToLine } from '../../../server/audit/audit.store.ts';
import { ACCOUNT_THRESHOLD } from '../../../server/auth/login-throttle.ts';
import { SESSION_CACHE_MS } from '../../../server/auth/session.service.ts';
import {
  ADMIN_EMAIL,
  DEV_PASSWORD,
  login,
  bearer,
  startTestApp,
  tempDir,
  testDatabaseUrl,
  testEngine,
  type TestApp,
} from '../helpers.ts';
import { adminSession } from '../audit/audit-helpers.ts';
import { PG_MISSING, startPostgres } from './postgres-server.ts';

const handoffDetails = {
  from_agent: 'planner',
  to_agent: 'coder',
  reason: 'step',
  output_sha256: '0'.repeat(64),
};
const service = (harness: TestApp) => harness.app.auditService as AuditService;

describe('the PostgreSQL test engine', () => {
  it('this project runs its apps on PostgreSQL, in their own database', async () => {
    expect(testEngine).toBe('postgres');
    const harness = await startTestApp();
    try {
      const url = await testDatabaseUrl(harness.dataDir);
      expect(url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/factory_test_/);
      // The tables are in that database, and no SQLite file was made.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const users = await client.query<{ email: string }>('select email from users');
        expect(users.rows.map((row) => row.email)).toEqual(['admin@localhost']);
      } finally {
        await client.end();
      }
      await expect(fs.access(path.join(harness.dataDir, 'factory.sqlite'))).rejects.toThrow();
    } finally {
      await harness.close();
    }
  });

  it('keeps serving when PostgreSQL ends its idle connections (a restart, an administrator)', async () => {
    const harness = await startTestApp();
    try {
      // Sign-ins leave idle connections in the pool.
      await Promise.all([1, 2, 3].map(() => login(harness.app, ADMIN_EMAIL, DEV_PASSWORD)));
      const client = new pg.Client({ connectionString: await testDatabaseUrl(harness.dataDir) });
      await client.connect();
      try {
        const ended = await client.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
        );
        expect(ended.rowCount).toBeGreaterThan(0);
      } finally {
        await client.end();
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The process is still here, and the next request that needs the database works.
      expect((await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD)).access_token.length).toBeGreaterThan(0);
    } finally {
      await harness.close();
    }
  });

  it('without the server binaries, says in one line what to install', async () => {
    const nowhere = await tempDir('factory-no-pg-');
    try {
      await expect(startPostgres(nowhere)).rejects.toThrow(PG_MISSING);
      expect(PG_MISSING).toContain('apt-get install postgresql');
      expect(PG_MISSING).not.toContain('\n');
    } finally {
      await fs.rm(nowhere, { recursive: true, force: true });
    }
  });
});

describe('two instances on one PostgreSQL database', () => {
  const APPENDS = 200;
  let dataDir: string;
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    // A shared data directory (secrets, signing key) and one database: two instances
    // of one deployment behind a load balancer.
    dataDir = await tempDir();
    first = await startTestApp({}, { dataDir });
    second = await startTestApp({}, { dataDir });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it(`${APPENDS} concurrent appends through both make one gap-free chain; tree and checkpoints verify`, async () => {
    const before = (await service(first).store.head())?.seq ?? 0;
    const appends = Array.from({ length: APPENDS }, (_, index) =>
      service(index % 2 === 0 ? first : second).appendEntry({
        type: 'agent_handoff',
        actor: null,
        resource: `pipeline/run-${index}`,
        details: {
          from_agent: 'planner',
          to_agent: 'coder',
          reason: `step ${index}`,
          output_sha256: '0'.repeat(64),
        },
      }),
    );
    const entries = await Promise.all(appends);
    // Every acknowledged entry has its own seq, and together they fill the range.
    const seqs = entries.map((entry) => entry.seq).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(APPENDS);
    expect(seqs[0]).toBe(before + 1);
    expect(seqs.at(-1)).toBe(before + APPENDS);

    // The stored chain: seq 1…N without a gap, each entry linked to the one before.
    const rows = await service(first).store.rowsAfter(0, 100_000);
    expect(rows.map((row) => row.seq)).toEqual(Array.from({ length: rows.length }, (_, index) => index + 1));
    const verifier = new ChainVerifier([], true);
    for (const row of rows) expect(verifier.push(rowToLine(row))).toBe(true);
    expect(verifier.result().ok).toBe(true);
    for (const entry of entries) expect(rows[entry.seq - 1]!.hash).toBe(entry.hash);

    // Both instances sign checkpoints; each covers its size with the tree root of the entries.
    const admin = await adminSession(first.app);
    for (const harness of [first, second]) {
      const checkpoint = await service(harness).checkpoint();
      expect(checkpoint.root_hash).toBe(await service(harness).store.treeRoot(checkpoint.size));
      const opened = openCheckpoint(checkpoint.note, parseVerifierKey(checkpoint.verifier_key));
      expect(opened.size).toBe(checkpoint.size);
      const verified = await harness.app.inject({
        method: 'GET',
        url: '/api/v1/audit/verify',
        headers: bearer(admin.access_token),
      });
      expect(verified.statusCode).toBe(200);
      const result = verified.json() as AuditVerifyResult;
      expect(result).toMatchObject({ ok: true });
      expect(result.head_seq).toBeGreaterThanOrEqual(before + APPENDS);
    }
    // One stored checkpoint per size, never two notes for one size.
    const sizes = await first.app.db
      .withTables<{ audit_checkpoints: { size: number } }>()
      .selectFrom('audit_checkpoints')
      .select('size')
      .execute();
    expect(new Set(sizes.map((row) => row.size)).size).toBe(sizes.length);
  });
});

describe('two instances share sessions and lock-outs through the database', () => {
  let dataDir: string;
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    dataDir = await tempDir();
    first = await startTestApp({}, { dataDir });
    second = await startTestApp({}, { dataDir });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const me = (harness: TestApp, token: string) =>
    harness.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) });
  const refresh = (harness: TestApp, token: string) =>
    harness.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: token } });

  it("a logout on one instance ends the session on the other (within the session cache's one second)", async () => {
    const session = await login(first.app, ADMIN_EMAIL, DEV_PASSWORD);
    expect((await me(second, session.access_token)).statusCode).toBe(200);
    const out = await first.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: bearer(session.access_token),
      payload: {},
    });
    expect(out.statusCode).toBe(204);
    // Refresh reads the database: refused at once. Access tokens: the other instance's
    // live-session lookup is reused for at most SESSION_CACHE_MS (session.service.ts).
    expect((await refresh(second, session.refresh_token)).statusCode).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, SESSION_CACHE_MS + 100));
    expect((await me(second, session.access_token)).statusCode).toBe(401);
  });

  it('a lookup made while a logout commits is not kept: the revoking instance refuses the next request', async () => {
    const session = await login(first.app, ADMIN_EMAIL, DEV_PASSWORD);
    // Holds off writes to the audit chain, so the logout's transaction waits after revoking
    // the session (its row changed, not yet committed) for as long as this one is open.
    const blocker = new pg.Client({ connectionString: await testDatabaseUrl(dataDir) });
    await blocker.connect();
    let out: Promise<{ statusCode: number }> | undefined;
    try {
      await blocker.query('begin');
      await blocker.query('lock table audit_entries in exclusive mode');
      // `then` sends it now (an injection waits for it).
      out = first.app
        .inject({
          method: 'POST',
          url: '/api/v1/auth/logout',
          headers: bearer(session.access_token),
          payload: {},
        })
        .then((response) => response);
      const waiting = async () =>
        Number(
          (
            await blocker.query(
              'select count(*) as n from pg_stat_activity where pg_backend_pid() = any(pg_blocking_pids(pid))',
            )
          ).rows[0].n,
        );
      for (let attempt = 0; attempt < 200 && (await waiting()) === 0; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(await waiting()).toBeGreaterThan(0);
      // Another connection still sees the session live: this request is served, and its
      // lookup is made after the revocation forgot the session.
      expect((await me(first, session.access_token)).statusCode).toBe(200);
    } finally {
      await blocker.query('commit');
      await blocker.end();
    }
    expect((await out).statusCode).toBe(204);
    expect((await me(first, session.access_token)).statusCode).toBe(401);
  });

  it('a refresh token rotated on one instance and reused on the other revokes the session', async () => {
    const session = await login(first.app, ADMIN_EMAIL, DEV_PASSWORD);
    const rotated = await refresh(second, session.refresh_token);
    expect(rotated.statusCode).toBe(200);
    const next = rotated.json() as { refresh_token: string; access_token: string };
    expect((await refresh(first, session.refresh_token)).statusCode).toBe(401);
    // The reuse revoked the whole family, on both instances.
    expect((await refresh(second, next.refresh_token)).statusCode).toBe(401);
    expect((await me(first, next.access_token)).statusCode).toBe(401);
  });

  it('sign-in failures through both instances count towards one lock-out', async () => {
    const attempt = (harness: TestApp, password: string) =>
      harness.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: ADMIN_EMAIL, password },
      });
    for (let index = 1; index < ACCOUNT_THRESHOLD; index += 1) {
      expect((await attempt(index % 2 === 0 ? first : second, `wrong ${index}`)).statusCode).toBe(401);
    }
    expect((await attempt(first, 'wrong last')).statusCode).toBe(429);
    expect((await attempt(second, DEV_PASSWORD)).statusCode).toBe(429);
  });
});

describe('an append that meets a serialisation failure', () => {
  it('is retried on the new head and committed once', async () => {
    const harness = await startTestApp();
    try {
      const audit = service(harness);
      const headBefore = (await audit.store.head())?.seq ?? 0;
      // A real PostgreSQL serialization_failure (40001) on the next two inserts into the
      // chain: a sequence is not transactional, so the rollback does not reset it.
      await sql`create sequence audit_fail_next`.execute(harness.app.db);
      await sql`
        create function audit_fail_twice() returns trigger language plpgsql as $$
        begin
          if nextval('audit_fail_next') <= 2 then
            raise exception 'injected serialisation failure' using errcode = '40001';
          end if;
          return new;
        end $$`.execute(harness.app.db);
      await sql`create trigger audit_fail_twice before insert on audit_entries
        for each statement execute function audit_fail_twice()`.execute(harness.app.db);
      const entry = await audit.appendEntry({ type: 'agent_handoff', actor: null, details: handoffDetails });
      expect(entry.seq).toBe(headBefore + 1);
      const failed = await sql<{ last_value: string }>`select last_value from audit_fail_next`.execute(
        harness.app.db,
      );
      expect(Number(failed.rows[0]!.last_value)).toBe(3);
      expect((await audit.verify()).ok).toBe(true);
    } finally {
      await harness.close();
    }
  });
});

describe('the live tail across instances on PostgreSQL', () => {
  it('listens on one connection per instance, and listens again after PostgreSQL ends it', async () => {
    const dataDir = await tempDir();
    const first = await startTestApp({}, { dataDir });
    const second = await startTestApp({}, { dataDir });
    const client = new pg.Client({ connectionString: await testDatabaseUrl(dataDir) });
    await client.connect();
    const listeners = async () =>
      (
        await client.query<{ pid: number }>(
          "select pid from pg_stat_activity where datname = current_database() and query = 'LISTEN factory_audit'",
        )
      ).rows.map((row) => row.pid);
    try {
      const heard: number[] = [];
      // Three subscribers (three live tails) on the second instance: still one connection.
      const stops = [1, 2, 3].map(() => service(second).subscribe((entry) => heard.push(entry.seq)));
      await until(async () => (await listeners()).length === 1);
      const appended = await service(first).appendEntry({
        type: 'agent_handoff',
        actor: null,
        details: handoffDetails,
      });
      await until(() => Promise.resolve(heard.filter((seq) => seq === appended.seq).length === 3));
      // An administrator (or a failover) ends the listening connection: it comes back, and
      // what was appended meanwhile still arrives.
      const [pid] = await listeners();
      await client.query('select pg_terminate_backend($1)', [pid]);
      const meanwhile = await service(first).appendEntry({
        type: 'agent_handoff',
        actor: null,
        details: handoffDetails,
      });
      await until(async () => (await listeners()).some((next) => next !== pid));
      await until(() => Promise.resolve(heard.filter((seq) => seq === meanwhile.seq).length === 3));
      const after = await service(first).appendEntry({
        type: 'agent_handoff',
        actor: null,
        details: handoffDetails,
      });
      await until(() => Promise.resolve(heard.filter((seq) => seq === after.seq).length === 3));
      expect(await listeners()).toHaveLength(1);
      for (const stop of stops) stop();
    } finally {
      await client.end();
      await second.close();
      await first.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});

async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
