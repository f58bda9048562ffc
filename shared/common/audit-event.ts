/**
 * The audit log's contract (docs/SECURITY.md §Audit log): event types, what a caller appends,
 * what an entry looks like, and the canonical encoding its hash chain is computed over.
 * Isomorphic: the server appends and serves entries, the console and the offline
 * verifier check them, the renderer shows them.
 *
 * ## Canonical encoding (v1)
 *
 * An entry is one line of JSON (UTF-8, no whitespace, no BOM, `\n`-terminated in an
 * export) whose members appear in exactly this order, every member always present:
 *
 *     seq, ts, type, actor, resource, ip, request_id, details, prev_hash, hash
 *
 * - `seq`: integer ≥ 1, decimal, no sign, no leading zeros, no exponent. Gap-free:
 *   entry n has `seq` n.
 * - `ts`: string, RFC 3339 UTC with milliseconds, exactly `YYYY-MM-DDTHH:MM:SS.sssZ`
 *   (ECMAScript `Date.prototype.toISOString`).
 * - `type`: one of {@link AuditEventType}; `actor`, `resource`, `ip`, `request_id`:
 *   string or `null`.
 * - `details`: a JSON object (`{}` when empty). Inside it, object members are sorted
 *   by their keys' UTF-16 code units, arrays keep their order — the RFC 8785 (JCS)
 *   rules. Numbers use the ECMAScript shortest round-trip form (`JSON.stringify`);
 *   NaN and ±Infinity are refused. Depth ≤ 8, canonical size ≤ 8 KiB.
 * - Strings everywhere are escaped as RFC 8785 §3.2.2.2 / `JSON.stringify` does:
 *   `"` and `\` escaped, U+0000–U+001F as `\b \t \n \f \r` or `\u00xx` (lower-case
 *   hex), everything else literal UTF-8. Lone surrogates are refused.
 * - `prev_hash`: the previous entry's `hash`; for `seq` 1 it is 64 zeros
 *   ({@link AUDIT_GENESIS_HASH}).
 * - `hash`: lower-case hex SHA-256 of `"FactoryConsole/audit/v1\n"` followed by the
 *   line *without* its `hash` member, i.e. the canonical line up to and including the
 *   `prev_hash` value, then `}`.
 *
 * The hash covers the exact bytes, so a verifier rejects any line that is not in this
 * form (another key order, extra spaces, another number form) as well as any edit.
 *
 * ## The Merkle tree and checkpoints
 * The log is also an RFC 6962 Merkle tree: leaf i (0-based) is entry `seq` i + 1, and its leaf
 * data is exactly that entry's canonical line (no newline). A checkpoint is a C2SP
 * `tlog-checkpoint` signed note (https://c2sp.org/tlog-checkpoint, https://c2sp.org/signed-note)
 * of origin `<log name>/tlog`: the decimal size and the base64 tree root (SHA-256 of nothing for
 * an empty log), signed with the server's Ed25519 key under the key name `<log name>/tlog`.
 * Checkpoints from before the tree carried the chain head under the bare log name; they are
 * never read as tree checkpoints (docs/SECURITY.md).
 */
import { z } from 'zod';
import {
  AUDIT_DETAILS_MAX_BYTES,
  AUDIT_DETAILS_MAX_DEPTH,
  AUDIT_GENESIS_HASH,
  AUDIT_HASH_PREFIX,
  AuditEventType,
  AuditVerifyReason,
} from './audit-constants.ts';
import { text } from './text.ts';

export {
  AUDIT_DETAILS_MAX_BYTES,
  AUDIT_DETAILS_MAX_DEPTH,
  AUDIT_GENESIS_HASH,
  AUDIT_HASH_PREFIX,
  AuditEventType,
  AuditVerifyReason,
};

const auditEventTypeValues = Object.values(AuditEventType) as [AuditEventType, ...AuditEventType[]];

/** zod schema of {@link AuditEventType}. */
export const auditEventTypeSchema = z.enum(auditEventTypeValues);

/** Event types that services may append through `POST /api/v1/audit/events` (scope `audit:append`). */
export const SERVICE_APPENDABLE_TYPES = [
  AuditEventType.AgentHandoff,
] as const satisfies readonly AuditEventType[];

const hex64 = text().regex(/^[0-9a-f]{64}$/, 'a lower-case hex SHA-256');
const isoMillis = text().regex(
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
  'an RFC 3339 UTC time with milliseconds',
);
const shortText = (max: number) => text().min(1).max(max);

/**
 * What a caller hands to `append`: the server fills `seq`, `ts`, `prev_hash` and `hash`.
 * Secrets (passwords, tokens, keys, hardware serials) never go in `details`.
 */
export const auditEventInputSchema = z.strictObject({
  type: auditEventTypeSchema,
  actor: shortText(256).nullable(),
  resource: shortText(512).nullable().optional(),
  ip: shortText(64).nullable().optional(),
  request_id: shortText(128).nullable().optional(),
  details: z.record(text(), z.unknown()).optional(),
});
export type AuditEventInput = z.infer<typeof auditEventInputSchema>;

/** One committed entry of the chain, in canonical member order. */
export const auditEntrySchema = z.strictObject({
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  ts: isoMillis,
  type: auditEventTypeSchema,
  actor: text().max(256).nullable(),
  resource: text().max(512).nullable(),
  ip: text().max(64).nullable(),
  request_id: text().max(128).nullable(),
  details: z.record(text(), z.unknown()),
  prev_hash: hex64,
  hash: hex64,
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** The canonical member order of an entry (see the module comment). */
export const AUDIT_ENTRY_KEYS = [
  'seq',
  'ts',
  'type',
  'actor',
  'resource',
  'ip',
  'request_id',
  'details',
  'prev_hash',
  'hash',
] as const satisfies readonly (keyof AuditEntry)[];

/**
 * `details` of a pipeline `agent_handoff`: who handed over to whom and why, and a
 * digest of the output — never the output itself.
 */
export const agentHandoffDetailsSchema = z.strictObject({
  from_agent: shortText(128),
  to_agent: shortText(128),
  reason: shortText(512),
  output_sha256: hex64,
  product_id: shortText(128).optional(),
});
export type AgentHandoffDetails = z.infer<typeof agentHandoffDetailsSchema>;

/** Body of `POST /api/v1/audit/events` (services with an `audit:append` API key). */
export const auditAppendRequestSchema = z.strictObject({
  type: z.enum(SERVICE_APPENDABLE_TYPES),
  resource: shortText(512).nullable().optional(),
  details: agentHandoffDetailsSchema,
});
export type AuditAppendRequest = z.infer<typeof auditAppendRequestSchema>;

/** Query of `GET /api/v1/audit`: keyset paging (`after`/`before` a seq) and filters. */
export const auditQuerySchema = z.strictObject({
  after: z.coerce.number().int().min(0).optional(),
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  order: z.enum(['asc', 'desc']).default('desc'),
  type: auditEventTypeSchema.optional(),
  actor: text().min(1).max(256).optional(),
  since: isoMillis.or(z.iso.datetime()).optional(),
  until: isoMillis.or(z.iso.datetime()).optional(),
  q: text().min(1).max(256).optional(),
  /** Rows to skip after the keyset bound: lets a viewer that knows `total` jump to any row. */
  offset: z.coerce.number().int().min(0).max(100_000_000).optional(),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

/** A page of entries; `next` is the keyset cursor for the following page, if any. */
export const auditPageSchema = z.strictObject({
  entries: z.array(auditEntrySchema),
  next: z.number().int().nullable(),
  head_seq: z.number().int().min(0),
  /** How many entries match the filters (ignoring the keyset bound and offset). */
  total: z.number().int().min(0).optional(),
});
export type AuditPage = z.infer<typeof auditPageSchema>;

/** Result of verifying a chain (API `GET /api/v1/audit/verify`, the offline verifier, the console). */
export const auditVerifyResultSchema = z.strictObject({
  ok: z.boolean(),
  checked: z.number().int().min(0),
  head_seq: z.number().int().min(0),
  head_hash: hex64,
  first_bad_seq: z.number().int().min(0).optional(),
  reason: z.enum(Object.values(AuditVerifyReason) as [AuditVerifyReason, ...AuditVerifyReason[]]).optional(),
  message: text().optional(),
  checkpoint_size: z.number().int().min(0).optional(),
  /** When the newest checkpoint was signed (server-side verification only). */
  checkpoint_at: text().optional(),
});
export type AuditVerifyResult = z.infer<typeof auditVerifyResultSchema>;

/** A checkpoint as served by `GET /api/v1/audit/checkpoint`: the signed note and its parsed body. */
export const auditCheckpointSchema = z.strictObject({
  origin: text().min(1),
  size: z.number().int().min(0),
  /** The chain hash of entry `size` (not signed: the note signs the root). */
  head_hash: hex64,
  /** The Merkle root the note signs, hex. */
  root_hash: hex64,
  note: text().min(1),
  /** The verifier key in signed-note form (`name+keyhash+base64(0x01 ‖ pubkey)`). */
  verifier_key: text().min(1),
});
export type AuditCheckpoint = z.infer<typeof auditCheckpointSchema>;

const base64Hash = text().regex(/^[A-Za-z0-9+/]{43}=$/, 'a base64 SHA-256');
const treeSize = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Query of `GET /api/v1/audit/proof/inclusion`: entry `seq` in the tree of the first `size` entries. */
export const auditInclusionQuerySchema = z.strictObject({
  seq: treeSize.pipe(z.number().min(1)),
  size: treeSize.pipe(z.number().min(1)),
});

/** Query of `GET /api/v1/audit/proof/consistency`: the tree of `from` entries inside that of `to`. */
export const auditConsistencyQuerySchema = z.strictObject({ from: treeSize, to: treeSize });

/** An RFC 9162 inclusion proof (`hashes` bottom first). */
export const auditInclusionProofSchema = z.strictObject({
  leaf_index: z.number().int().min(0),
  tree_size: z.number().int().min(1),
  hashes: z.array(base64Hash).max(64),
});
export type AuditInclusionProof = z.infer<typeof auditInclusionProofSchema>;

/** An RFC 9162 consistency proof. */
export const auditConsistencyProofSchema = z.strictObject({
  from: z.number().int().min(0),
  to: z.number().int().min(0),
  hashes: z.array(base64Hash).max(128),
});
export type AuditConsistencyProof = z.infer<typeof auditConsistencyProofSchema>;
