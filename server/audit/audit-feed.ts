/**
 * How an instance hears that another one appended to the shared audit chain, so its live
 * tails (SSE) see every entry whoever wrote it (docs/DEPLOY.md §Topology).
 *
 * - PostgreSQL: every append transaction ends with `pg_notify('factory_audit', head)`
 *   (audit.store.ts), which PostgreSQL delivers at commit, never for a rollback. Each
 *   instance keeps one connection of its own (outside the pool) that `LISTEN`s; when that
 *   connection drops it reconnects with a back-off and signals once after reconnecting,
 *   since notifications sent meanwhile are lost.
 * - SQLite (several processes on one file): no notifications exist, so the feed polls.
 *
 * A signal carries no data: the receiver reads the entries after the last one it
 * delivered from the database, in order (audit.service.ts), so a lost or duplicated
 * signal costs a query, never an entry.
 */

import type { Client as PgClient } from 'pg';

/** The channel the append transactions notify. */
export const AUDIT_CHANNEL = 'factory_audit';
/** SQLite: how often the head is compared while a tail is open. */
export const POLL_MS = 1_000;
const RECONNECT_MAX_MS = 5_000;

/** Starts watching; the returned function stops it. */
export type AuditFeed = (signal: () => void, onError: (error: unknown) => void) => () => Promise<void>;

/** SQLite's feed: a timer. */
export function pollingFeed(intervalMs = POLL_MS): AuditFeed {
  return (signal) => {
    const timer = setInterval(signal, intervalMs);
    timer.unref();
    return () => {
      clearInterval(timer);
      return Promise.resolve();
    };
  };
}

/** PostgreSQL's feed: one `LISTEN` connection to `databaseUrl`, reconnected while running. */
export function listenFeed(databaseUrl: string): AuditFeed {
  return (signal, onError) => {
    let stopped = false;
    let client: PgClient | undefined;
    let retry: NodeJS.Timeout | undefined;
    let failures = 0;
    const connect = async (): Promise<void> => {
      const { default: pg } = await import('pg');
      const next = new pg.Client({ connectionString: databaseUrl });
      next.on('notification', (message) => {
        if (message.channel === AUDIT_CHANNEL) signal();
      });
      const lost = (error?: unknown) => {
        if (client !== next) return;
        client = undefined;
        next.end().catch(() => undefined);
        if (error !== undefined && failures === 0) onError(error);
        schedule();
      };
      next.on('error', lost);
      next.on('end', () => lost());
      client = next;
      await next.connect();
      await next.query(`LISTEN ${AUDIT_CHANNEL}`);
      if (stopped) {
        await next.end().catch(() => undefined);
        return;
      }
      failures = 0;
      // Whatever was appended while this instance was not listening.
      signal();
    };
    const schedule = () => {
      if (stopped || retry) return;
      failures += 1;
      retry = setTimeout(
        () => {
          retry = undefined;
          connect().catch((error: unknown) => {
            if (client) {
              const broken = client;
              client = undefined;
              broken.end().catch(() => undefined);
            }
            schedule();
            if (failures === 1) onError(error);
          });
        },
        Math.min(100 * 2 ** failures, RECONNECT_MAX_MS),
      );
      retry.unref();
    };
    connect().catch((error: unknown) => {
      client?.end().catch(() => undefined);
      client = undefined;
      onError(error);
      schedule();
    });
    return async () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      const open = client;
      client = undefined;
      await open?.end().catch(() => undefined);
    };
  };
}
