/**
 * The audit and firewall tables as Kysely sees them. Kept beside their code and added
 * to the server's database type with `withTables`, so the server's schema file stays
 * the server engineer's.
 */
import type { Generated } from 'kysely';
import type { Db } from '../db/database.ts';

export interface AuditEntriesTable {
  seq: number;
  ts: string;
  type: string;
  actor: string | null;
  resource: string | null;
  ip: string | null;
  request_id: string | null;
  /** Canonical JSON, exactly as hashed. */
  details: string;
  prev_hash: string;
  hash: string;
}

export interface AuditCheckpointsTable {
  size: number;
  /** The chain hash of entry `size` (every checkpoint, legacy or tree). */
  head_hash: string;
  /** The Merkle root of a tree checkpoint; NULL for a legacy chain-head checkpoint. */
  root_hash: string | null;
  note: string;
  created_at: string;
}

/** One complete Merkle subtree hash, keyed by its storage number (see audit-tree.ts). */
export interface AuditTreeHashesTable {
  id: number;
  /** Lower-case hex SHA-256. */
  hash: string;
}

export interface AuditQuarantineTable {
  id: Generated<number>;
  seq: number;
  row_json: string;
  reason: string;
  quarantined_at: string;
}

export interface FirewallRulesTable {
  id: string;
  action: string;
  cidr: string;
  note: string | null;
  expires_at: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface FirewallSettingsTable {
  key: string;
  value: string;
}

export type AuditFirewallTables = {
  audit_entries: AuditEntriesTable;
  audit_checkpoints: AuditCheckpointsTable;
  audit_quarantine: AuditQuarantineTable;
  audit_tree_hashes: AuditTreeHashesTable;
  firewall_rules: FirewallRulesTable;
  firewall_settings: FirewallSettingsTable;
};

/** The server's database with the audit and firewall tables in its type. */
export function withAuditTables(db: Db) {
  return db.withTables<AuditFirewallTables>();
}
export type AuditDb = ReturnType<typeof withAuditTables>;
