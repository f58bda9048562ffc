/**
 * The clean-shutdown marker per instance through the real app on SQLite (two instances on
 * one PostgreSQL database: audit-kill-instances-marker.test.ts): the id generated once in the data directory, `FACTORY_INSTANCE_ID`
 * instead when set, and the first start after migration 0055 taking over the
 * deployment-wide marker of before (here: a `running` one, i.e. an unclean shutdown).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../server/db/schema.ts';
import { NodeSqliteDialect } from '../../../server/db/node-sqlite.dialect.ts';
import { startTestApp, tempDir, type TestApp } from '../helpers.ts';

let opened: TestApp[] = [];
let dirs: string[] = [];
afterEach(async () => {
  delete process.env.FACTORY_INSTANCE_ID;
  for (const app of opened) await app.close().catch(() => undefined);
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
  opened = [];
  dirs = [];
});

async function open(dataDir: string): Promise<TestApp> {
  const app = await startTestApp({}, { dataDir });
  opened.push(app);
  return app;
}

const markers = async (app: TestApp) =>
  app.app.db.selectFrom('audit_instances').select(['instance_id', 'state']).orderBy('instance_id').execute();

describe('audit clean-shutdown marker per instance', () => {
  it('keeps the generated id, takes over the old deployment-wide marker once', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const first = await open(dataDir);
    const id = (await fs.readFile(path.join(dataDir, 'instance-id'), 'utf8')).trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await markers(first)).toEqual([{ instance_id: id, state: 'running' }]);
    await first.app.close();
    opened = [];
    // As after migration 0055 on a deployment whose one marker said `running` (a crash).
    const db = new Kysely<Database>({ dialect: new NodeSqliteDialect(path.join(dataDir, 'factory.sqlite')) });
    await db.deleteFrom('audit_instances').execute();
    await db
      .insertInto('audit_instances')
      .values({ instance_id: '', state: 'running', updated_at: new Date().toISOString() })
      .execute();
    await db.destroy();

    const second = await open(dataDir);
    expect(second.app.auditService!.recovery?.uncleanShutdown).toBe(true);
    expect(await markers(second)).toEqual([{ instance_id: id, state: 'running' }]);
    await second.app.close();
    opened = [];

    const third = await open(dataDir);
    expect(third.app.auditService!.recovery?.uncleanShutdown).toBe(false);
  });

  it('uses FACTORY_INSTANCE_ID when set', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    process.env.FACTORY_INSTANCE_ID = 'web-1';
    const app = await open(dataDir);
    expect(await markers(app)).toEqual([{ instance_id: 'web-1', state: 'running' }]);
    await expect(fs.access(path.join(dataDir, 'instance-id'))).rejects.toThrow();
  });
});
