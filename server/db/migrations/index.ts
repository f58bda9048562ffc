/**
 * Every schema migration, in order. Other areas add a file here (`NNNN-name.ts`) and
 * one entry below; names sort, and applied names are never changed.
 */
import type { Migration } from 'kysely';
import { migration0001Auth } from './0001-auth.ts';
import { migration0005AuditFirewall } from './0005-audit-firewall.ts';
import { migration0006Resources } from './0006-resources.ts';
import { migration0020AuditTree } from './0020-audit-tree.ts';
import { migration0040Identity } from './0040-identity.ts';
import { migration0045OidcLoopback } from './0045-oidc-loopback.ts';
import { migration0050ApiKeyExpiry } from './0050-api-key-expiry.ts';
import { migration0055AuditInstanceMarker } from './0055-audit-instance-marker.ts';

export const migrations: Record<string, Migration> = {
  '0001-auth': migration0001Auth,
  '0005-audit-firewall': migration0005AuditFirewall,
  '0006-resources': migration0006Resources,
  '0020-audit-tree': migration0020AuditTree,
  '0040-identity': migration0040Identity,
  '0045-oidc-loopback': migration0045OidcLoopback,
  '0050-api-key-expiry': migration0050ApiKeyExpiry,
  '0055-audit-instance-marker': migration0055AuditInstanceMarker,
};
