/**
 * The seam to the audit log (docs/SERVER.md §Audit log and firewall): every security event goes through
 * `app.audit`, awaited before the response (durability). The durable hash-chained
 * store lives in `server/audit/`.
 *
 * A state change and its entry go through `app.audit.transact(async (trx, append) => …)`:
 * the change runs on `trx` and the entries handed to `append` are chained and inserted in
 * that same database transaction, so both commit or neither does
 * (docs/SECURITY.md §Threat model and tests). `append(event)` alone is for events that
 * change nothing else (a refusal, a sign-in failure, an unlock).
 */
import type { FastifyBaseLogger } from 'fastify';
import { auditEventInputSchema, type AuditEventInput } from '../shared/common/audit-event.ts';
import type { Db } from './db/database.ts';

/** Queues an entry of the transaction in progress (validated at once: a bad event throws, and the work rolls back). */
export type AuditAppend = (event: AuditEventInput) => void;

/** A state change: runs on `trx` only (never on `app.db`, which waits for the transaction to end). */
export type AuditWork<T> = (trx: Db, append: AuditAppend) => Promise<T>;

export interface AuditSink {
  append(event: AuditEventInput): Promise<void>;
  /** Runs `work` and commits its entries in the same transaction (see the module comment). */
  transact?<T>(work: AuditWork<T>): Promise<T>;
}

/** What `app.audit` is: a sink that can commit a change with its entries. */
export interface TransactionalAuditSink extends AuditSink {
  transact<T>(work: AuditWork<T>): Promise<T>;
}

/**
 * Gives a sink without transactions of its own (a stand-in that keeps nothing durable,
 * in a test) `transact`: the work runs in one database transaction and its entries go
 * to the sink after the commit. Only the durable audit service ties both together.
 */
export function withTransactions(sink: AuditSink, db: Db): TransactionalAuditSink {
  if (typeof sink.transact === 'function') return sink as TransactionalAuditSink;
  return {
    append: (event) => sink.append(event),
    async transact<T>(work: AuditWork<T>): Promise<T> {
      const events: AuditEventInput[] = [];
      const value = await db.transaction().execute(async (trx) =>
        work(trx, (event) => {
          events.push(auditEventInputSchema.parse(event));
        }),
      );
      for (const event of events) await sink.append(event);
      return value;
    },
  };
}

/** A sink that writes one log line per event. */
export function createLoggingAuditSink(log: FastifyBaseLogger): AuditSink {
  return {
    append(event) {
      log.info(
        { audit: { type: event.type, actor: event.actor, resource: event.resource ?? null } },
        'audit event',
      );
      return Promise.resolve();
    },
  };
}
