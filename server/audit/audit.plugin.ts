/**
 * Wires the durable audit log into the Factory API: `createAuditService(app)` is what
 * `buildApp` uses as the default `app.audit`. Settings come from the environment:
 *
 * - `FACTORY_AUDIT_ORIGIN`: the log's name in checkpoints (default
 *   `factory-api.local/audit/<signing key id>`; no spaces or `+`);
 * - `FACTORY_AUDIT_CHECKPOINT_EVERY`: sign a checkpoint every N entries (default 1000);
 * - `FACTORY_AUDIT_CHECKPOINT_SECONDS`: … and every T seconds when there are new entries (default 60);
 * - `FACTORY_INSTANCE_ID`: the name of this instance's clean-shutdown marker (default: an id
 *   generated once and kept in `<data dir>/instance-id`); instances that share a data
 *   directory must each set their own.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isValidKeyName } from '../../shared/node/audit/signed-note.ts';
import { envInteger, parseEnv } from '../config.ts';
import { listenFeed, pollingFeed } from './audit-feed.ts';
import { AuditService } from './audit.service.ts';
import { AuditStore } from './audit.store.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The durable audit log (also `app.audit`), when it is the configured sink. */
    auditService?: AuditService;
  }
}

const INSTANCE_ID = /^[A-Za-z0-9._-]{1,64}$/;

const schema = z.object({
  FACTORY_AUDIT_ORIGIN: z.string().refine(isValidKeyName, 'expected a name without spaces or "+"').optional(),
  FACTORY_AUDIT_CHECKPOINT_EVERY: envInteger(1, 10_000_000, 1000),
  FACTORY_AUDIT_CHECKPOINT_SECONDS: envInteger(1, 86_400, 60),
  FACTORY_INSTANCE_ID: z
    .string()
    .regex(INSTANCE_ID, 'expected 1 to 64 letters, digits, ".", "_" or "-"')
    .optional(),
});

/** Audit settings from the environment; throws ConfigError naming the variable. */
export function loadAuditConfig(env: Record<string, string | undefined> = process.env) {
  return parseEnv(schema, env);
}

/** The marker the single deployment-wide row became (migration 0055); the first instance without its own takes it over. */
const LEGACY_INSTANCE = '';

/**
 * This instance's id: `FACTORY_INSTANCE_ID`, else the one in `<dataDir>/instance-id`, made
 * once (exclusive create, so two processes starting on one directory agree on it).
 */
export async function resolveInstanceId(dataDir: string, configured: string | undefined): Promise<string> {
  if (configured !== undefined) return configured;
  const file = path.join(dataDir, 'instance-id');
  try {
    await fs.writeFile(file, `${randomUUID()}\n`, { flag: 'wx', mode: 0o644 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const id = (await fs.readFile(file, 'utf8')).trim();
  if (!INSTANCE_ID.test(id)) throw new Error(`${file}: not an instance id (delete it to make a new one)`);
  return id;
}

/** Opens the audit service for `app` (recovery included) and ties it to the app's lifecycle. */
export async function createAuditService(app: FastifyInstance): Promise<AuditService> {
  const config = loadAuditConfig();
  const db = app.db;
  const instanceId = await resolveInstanceId(app.config.dataDir, config.FACTORY_INSTANCE_ID);
  const service = await AuditService.open({
    store: new AuditStore(db),
    signingSeed: app.keys.signing.privateKey,
    signingPublicKey: app.keys.signing.publicKey,
    origin: config.FACTORY_AUDIT_ORIGIN ?? `factory-api.local/audit/${app.keys.signing.keyId}`,
    checkpointEvery: config.FACTORY_AUDIT_CHECKPOINT_EVERY,
    checkpointIntervalMs: config.FACTORY_AUDIT_CHECKPOINT_SECONDS * 1000,
    state: {
      instanceId,
      get: async () => {
        const own = await db
          .selectFrom('audit_instances')
          .select('state')
          .where('instance_id', '=', instanceId)
          .executeTakeFirst();
        if (own) return own.state;
        // Taken by one instance only: the delete is atomic on both databases.
        const legacy = await db
          .deleteFrom('audit_instances')
          .where('instance_id', '=', LEGACY_INSTANCE)
          .returning('state')
          .executeTakeFirst();
        return legacy?.state;
      },
      set: async (value) => {
        const updated_at = new Date().toISOString();
        await db
          .insertInto('audit_instances')
          .values({ instance_id: instanceId, state: value, updated_at })
          .onConflict((conflict) => conflict.column('instance_id').doUpdateSet({ state: value, updated_at }))
          .execute();
      },
    },
    onError: (error, what) => app.log.error({ err: error }, `audit: ${what} failed`),
    // Live tails see every instance's entries: LISTEN/NOTIFY on PostgreSQL, polling on SQLite.
    feed: app.config.databaseUrl !== undefined ? listenFeed(app.config.databaseUrl) : pollingFeed(),
  });
  app.decorate('auditService', service);
  // Registered after the database's own onClose, so it runs first (Fastify runs them last-in first-out).
  app.addHook('onClose', async () => service.close());
  return service;
}
