/**
 * The tables of resources and machines (migration 0006), and a view of the app's
 * database that knows them: `db.withTables` keeps these types beside their owner
 * instead of in the shared schema file.
 */
import type { Db } from '../db/database.ts';

export interface ResourcesTable {
  id: string;
  name: string;
  version: string;
  /** The manifest's canonical JSON (what was signed). */
  manifest: string;
  signature: string;
  /** base64 of the container's small head (docs/SECURITY.md §The split). */
  small_part: string;
  /** base64 of the DEK sealed under the master key. Secret at rest: never returned or logged. */
  sealed_dek: string;
  cdn_object: string;
  publisher_id: string;
  created_at: string;
}

export interface MachinesTable {
  id: string;
  user_id: string;
  /** Hex SHA-384 hardware hash: identifies the machine; never logged or returned. */
  hw_hash: string;
  public_key: string;
  label: string;
  created_at: string;
  revoked_at: string | null;
}

export type ResourcesTables = {
  resources: ResourcesTable;
  machines: MachinesTable;
};

export type ResourcesDb = ReturnType<typeof resourcesDb>;

/** The app database with the resource tables typed. */
export function resourcesDb(db: Db) {
  return db.withTables<ResourcesTables>();
}
