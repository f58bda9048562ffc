/**
 * First-run bootstrap (no default password): no account exists
 * before it; the random password is written once, 0600; concurrent first starts
 * create exactly one admin.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { readBootstrapPassword } from '../../../server/auth/bootstrap.ts';
import { ADMIN_EMAIL, startTestApp, tempDir } from '../helpers.ts';
// Brings the `app.auditService` decorator's type into this program.
import type {} from '../../../server/audit/audit.plugin.ts';

const run = promisify(execFile);
const CHILD = path.join(import.meta.dirname, 'first-start.child.ts');

async function loginStatus(app: FastifyInstance, email: string, password: string): Promise<number> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
  });
  return response.statusCode;
}

describe('first-run bootstrap', () => {
  it('writes a random admin password once, mode 0600, that signs in; no default password works', async () => {
    const harness = await startTestApp({ devBootstrapPassword: undefined });
    try {
      const file = path.join(harness.dataDir, 'secrets', 'bootstrap_admin.txt');
      const stat = await fs.stat(file);
      expect(stat.mode & 0o777).toBe(0o600);
      expect((await fs.stat(path.dirname(file))).mode & 0o777).toBe(0o700);
      const password = await readBootstrapPassword(harness.dataDir);
      expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      for (const guess of ['admin', 'admin123', 'demo123', 'password']) {
        expect(await loginStatus(harness.app, ADMIN_EMAIL, guess)).toBe(401);
      }
      expect(await loginStatus(harness.app, ADMIN_EMAIL, password!)).toBe(200);
      const users = await harness.app.db.selectFrom('users').selectAll().execute();
      expect(users.map((user) => [user.email, user.role, user.bootstrap_password])).toEqual([
        [ADMIN_EMAIL, 'super_admin', 1],
      ]);
      // A restart does not create a second admin or rewrite the file.
      const before = await fs.readFile(file, 'utf8');
      await harness.app.close();
      const again = await startTestApp({ devBootstrapPassword: undefined }, { dataDir: harness.dataDir });
      expect(await fs.readFile(file, 'utf8')).toBe(before);
      expect(await again.app.db.selectFrom('users').select('id').execute()).toHaveLength(1);
      await again.close();
    } finally {
      await fs.rm(harness.dataDir, { recursive: true, force: true });
    }
  });

  it('with an empty database nothing authenticates before bootstrap (and a bootstrapped admin cannot be guessed)', async () => {
    const harness = await startTestApp({
      devBootstrapPassword: undefined,
      bootstrapEmail: 'owner@factory.test',
    });
    try {
      expect(await loginStatus(harness.app, 'admin@localhost', 'admin123')).toBe(401);
      expect(await loginStatus(harness.app, 'owner@factory.test', 'admin123')).toBe(401);
      const me = await harness.app.inject({ method: 'GET', url: '/api/v1/auth/me' });
      expect(me.statusCode).toBe(401);
    } finally {
      await harness.close();
    }
  });

  it('20 concurrent first starts on one data directory create exactly one admin', async () => {
    const dataDir = await tempDir();
    try {
      const harnesses = await Promise.all(
        // Each start also appends to the one audit chain of the data directory.
        Array.from({ length: 20 }, () => startTestApp({ devBootstrapPassword: undefined }, { dataDir })),
      );
      const counts = await Promise.all(
        harnesses.map((h) => h.app.db.selectFrom('users').select('id').execute()),
      );
      expect(counts.map((rows) => rows.length)).toEqual(Array.from({ length: 20 }, () => 1));
      const verdict = await harnesses[3]!.app.auditService!.verify();
      expect(verdict).toMatchObject({ ok: true });
      const password = await readBootstrapPassword(dataDir);
      expect(password).toBeDefined();
      expect(await loginStatus(harnesses[7]!.app, ADMIN_EMAIL, password!)).toBe(200);
      const leftovers = (await fs.readdir(path.join(dataDir, 'secrets'))).filter((name) =>
        name.endsWith('.tmp'),
      );
      expect(leftovers).toEqual([]);
      await Promise.all(harnesses.map((h) => h.close()));
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  it('concurrent first starts in separate processes also agree on one admin', async () => {
    const dataDir = await tempDir();
    try {
      const starts = Array.from({ length: 3 }, () =>
        run(process.execPath, ['--no-warnings', CHILD, dataDir], { timeout: 60_000 }),
      );
      for (const result of await Promise.all(starts))
        expect(JSON.parse(result.stdout.trim())).toEqual({ users: 1 });
      const harness = await startTestApp({ devBootstrapPassword: undefined }, { dataDir });
      expect(await harness.app.db.selectFrom('users').selectAll().execute()).toHaveLength(1);
      const password = await readBootstrapPassword(dataDir);
      expect(await loginStatus(harness.app, ADMIN_EMAIL, password!)).toBe(200);
      await harness.close();
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
