/**
 * Wires the durable audit log into the Factory API: `createAuditService(app)` is what
 * `buildApp` uses as the default `app.audit`. Settings come from the environment:
 *
 * - `FACTORY_AUDIT_ORIGIN`: the log's name in checkpoints (default
 *   `factory-api.local/audit/<signing key id>`; no spaces or `+`);
 * - `FACTORY_AUDIT_CHECKPOINT_EVERY`: sign a checkpoint every N entries (default 1000);
 * - `FACTORY_AUDIT_CHECKPOINT_SECONDS`: … and every T seconds when there are new entries (default 60).
 */
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

const schema = z.object({
  FACTORY_AUDIT_ORIGIN: z.string().refine(isValidKeyName, 'expected a name without spaces or "+"').optional(),
  FACTORY_AUDIT_CHECKPOINT_EVERY: envInteger(1, 10_000_000, 1000),
  FACTORY_AUDIT_CHECKPOINT_SECONDS: envInteger(1, 86_400, 60),
});

/** Audit settings from the environment; throws ConfigError naming the variable. */
export function loadAuditConfig(env: Record<string, string | undefined> = process.env) {
  return parseEnv(schema, env);
}

const SHUTDOWN_KEY = 'audit.shutdown';

/** Opens the audit service for `app` (recovery included) and ties it to the app's lifecycle. */
export async function createAuditService(app: FastifyInstance): Promise<AuditService> {
  const config = loadAuditConfig();
  const db = app.db;
  const service = await AuditService.open({
    store: new AuditStore(db),
    signingSeed: app.keys.signing.privateKey,
    signingPublicKey: app.keys.signing.publicKey,
    origin: config.FACTORY_AUDIT_ORIGIN ?? `factory-api.local/audit/${app.keys.signing.keyId}`,
    checkpointEvery: config.FACTORY_AUDIT_CHECKPOINT_EVERY,
    checkpointIntervalMs: config.FACTORY_AUDIT_CHECKPOINT_SECONDS * 1000,
    state: {
      get: async () =>
        (
          await db
            .selectFrom('server_state')
            .select('value')
            .where('key', '=', SHUTDOWN_KEY)
            .executeTakeFirst()
        )?.value,
      set: async (value) => {
        await db
          .insertInto('server_state')
          .values({ key: SHUTDOWN_KEY, value })
          .onConflict((conflict) => conflict.column('key').doUpdateSet({ value }))
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
