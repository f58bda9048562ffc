/**
 * What the Factory API adds to Fastify's types: the decorators other plugins use
 * (`app.db`, `app.keys`, `app.audit`, …), the authenticated principal on a request,
 * and the per-route `config.permission` every route must declare.
 */
import type { CdnStore } from './cdn/cdn-store.ts';
import type { Permission, Role, RoutePermission } from '../shared/common/roles.ts';
import type { ServerConfig } from './config.ts';
import type { Db } from './db/database.ts';
import type { ServerKeys } from './secrets/server-keys.ts';
import type { TlsIdentity } from './secrets/tls.ts';
import type { TransactionalAuditSink } from './audit-sink.ts';
import type { Services } from './services.ts';
import type { Metrics } from './metrics/metrics.ts';
import type { AccountEvents } from './auth/account-events.ts';
import type { DemoRefusals } from './demo/demo-refusals.ts';

/** Who is making a request, once authenticated. Holds no secret. */
export interface Principal {
  userId: string;
  email: string;
  role: Role;
  permissions: ReadonlySet<Permission>;
  via: 'bearer' | 'cookie' | 'api_key';
  /** The session an access token names (bearer/cookie), for logout. */
  sessionId?: string;
  apiKeyId?: string;
  mustChangePassword: boolean;
  /** When the session last proved who it is (ms since the epoch); absent for API keys. */
  authAt?: number;
  /** Signed in without the second factor its role requires: only enrolment is allowed. */
  enrolOnly?: boolean;
}

/** One row of the route table the matrix test walks. */
export interface RouteEntry {
  method: string;
  url: string;
  permission: RoutePermission;
  demoAllowed: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: ServerConfig;
    db: Db;
    keys: ServerKeys;
    /** The audit log; a change and its entries commit together through `audit.transact`. */
    audit: TransactionalAuditSink;
    services: Services;
    metrics: Metrics;
    /** Sign-outs and account changes, for long-lived responses to end (auth/account-events.ts). */
    accountEvents: AccountEvents;
    /** The TLS identity when this server terminates TLS itself. */
    tlsIdentity: TlsIdentity | undefined;
    /** Every registered route with its declared permission. */
    routeTable: RouteEntry[];
    startedAt: number;
    /** Where big parts live: the data directory or an S3 bucket (cdn/cdn-store.ts). */
    cdn: CdnStore;
    /** A public demo's refusals: counted, audited at most once per client and minute. */
    demoRefusals: DemoRefusals | undefined;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
  interface FastifyContextConfig {
    /** Required on every route: who may call it (checked at registration). */
    permission?: RoutePermission;
    /** State-changing routes still allowed in public demo mode (login, refresh, logout). */
    demoAllowed?: boolean;
  }
}
