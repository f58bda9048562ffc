/**
 * The seam to the audit log (docs/SERVER.md §Audit log and firewall): every security event goes through
 * `app.audit.append(event)`, awaited before the response (durability). The durable
 * hash-chained store lives in `server/audit/`; until it is wired, the default sink
 * only logs the event type and actor (never details, which might still be sensitive).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AuditEventInput } from '../shared/common/audit-event.ts';

export interface AuditSink {
  append(event: AuditEventInput): Promise<void>;
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
