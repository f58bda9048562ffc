/**
 * The audit chain's canonical encoding and hash (the rules are documented in
 * shared/common/audit-event.ts). One implementation, used by the server when it
 * appends and by every verifier, so both sides agree byte for byte.
 */
import { hash } from 'node:crypto';
import {
  AUDIT_DETAILS_MAX_BYTES,
  AUDIT_DETAILS_MAX_DEPTH,
  AUDIT_GENESIS_HASH,
  AUDIT_HASH_PREFIX,
  type AuditEventType,
} from '../../common/audit-constants.ts';
import type { AuditEntry } from '../../common/audit-event.ts';

/** An entry before its hash is computed. */
export type UnhashedAuditEntry = Omit<AuditEntry, 'hash'>;

/** Thrown for values that have no canonical form (NaN, lone surrogates, too deep, too big). */
export class CanonicalEncodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CanonicalEncodingError';
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** RFC 8785 string form: JSON.stringify escapes exactly the JCS set; lone surrogates have no UTF-8 form. */
function encodeString(value: string): string {
  if (LONE_SURROGATE.test(value)) throw new CanonicalEncodingError('string contains a lone surrogate');
  return JSON.stringify(value);
}

function encodeValue(value: unknown, depth: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return encodeString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalEncodingError('numbers must be finite');
      // ECMAScript's shortest round-trip form, which is RFC 8785's number form (-0 becomes 0).
      return JSON.stringify(value);
    case 'object': {
      if (depth >= AUDIT_DETAILS_MAX_DEPTH) throw new CanonicalEncodingError('details are nested too deeply');
      if (Array.isArray(value)) return `[${value.map((item) => encodeValue(item, depth + 1)).join(',')}]`;
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        throw new CanonicalEncodingError('only plain objects have a canonical form');
      }
      const record = value as Record<string, unknown>;
      // RFC 8785 §3.2.3: sort by UTF-16 code units, which is what the default sort compares.
      const keys = Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort();
      return `{${keys.map((key) => `${encodeString(key)}:${encodeValue(record[key], depth + 1)}`).join(',')}}`;
    }
    default:
      throw new CanonicalEncodingError(`a ${typeof value} has no JSON form`);
  }
}

/** Canonical JSON (RFC 8785 rules) of a `details` object, with no size policy (verifiers use this). */
export function encodeDetails(details: Record<string, unknown>): string {
  const text = encodeValue(details, 0);
  if (!text.startsWith('{')) throw new CanonicalEncodingError('details must be an object');
  return text;
}

/** Canonical JSON of `details` for a new entry: also enforces the size limit. */
export function canonicalDetails(details: Record<string, unknown>): string {
  const text = encodeDetails(details);
  if (Buffer.byteLength(text, 'utf8') > AUDIT_DETAILS_MAX_BYTES) {
    throw new CanonicalEncodingError(`details exceed ${AUDIT_DETAILS_MAX_BYTES} bytes`);
  }
  return text;
}

const nullableString = (value: string | null): string => (value === null ? 'null' : encodeString(value));

/**
 * The canonical line of an entry without its `hash` member, given `details` already in
 * canonical form (the store keeps it that way, so paging and export never re-sort).
 */
export function encodeUnhashed(entry: Omit<UnhashedAuditEntry, 'details'>, detailsJson: string): string {
  return (
    `{"seq":${entry.seq},"ts":${encodeString(entry.ts)},"type":${encodeString(entry.type)}` +
    `,"actor":${nullableString(entry.actor)},"resource":${nullableString(entry.resource)}` +
    `,"ip":${nullableString(entry.ip)},"request_id":${nullableString(entry.request_id)}` +
    `,"details":${detailsJson},"prev_hash":${encodeString(entry.prev_hash)}}`
  );
}

/** The chain hash of an unhashed canonical line (see the module comment of audit-event.ts). */
export function hashUnhashedLine(unhashedLine: string): string {
  return hash('sha256', AUDIT_HASH_PREFIX + unhashedLine, 'hex');
}

/** Adds the `hash` member to an unhashed canonical line. */
export function appendHashMember(unhashedLine: string, hash: string): string {
  return `${unhashedLine.slice(0, -1)},"hash":"${hash}"}`;
}

/** The full canonical line of an entry (no trailing newline). */
export function encodeEntry(entry: AuditEntry): string {
  const { hash, details, ...rest } = entry;
  return appendHashMember(encodeUnhashed(rest, encodeDetails(details)), hash);
}

/** What `chainNext` needs to make the next entry. */
export interface ChainFields {
  type: AuditEventType;
  actor: string | null;
  resource: string | null;
  ip: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
  ts: string;
}

/** A newly built entry with its canonical line. */
export interface BuiltEntry {
  entry: AuditEntry;
  detailsJson: string;
  line: string;
}

/**
 * Builds entry `head_seq + 1` on top of the head: computes `prev_hash`, the canonical
 * line and the hash. Pure; the caller persists it.
 */
export function chainNext(head: { seq: number; hash: string }, fields: ChainFields): BuiltEntry {
  const detailsJson = canonicalDetails(fields.details);
  const unhashed = {
    seq: head.seq + 1,
    ts: fields.ts,
    type: fields.type,
    actor: fields.actor,
    resource: fields.resource,
    ip: fields.ip,
    request_id: fields.request_id,
    prev_hash: head.hash,
  };
  const unhashedLine = encodeUnhashed(unhashed, detailsJson);
  const hash = hashUnhashedLine(unhashedLine);
  // Re-parse the canonical details so the returned entry holds exactly what was hashed.
  const entry: AuditEntry = {
    ...unhashed,
    details: JSON.parse(detailsJson) as Record<string, unknown>,
    hash,
  };
  return { entry, detailsJson, line: appendHashMember(unhashedLine, hash) };
}

/** The head of an empty chain. */
export const GENESIS_HEAD = { seq: 0, hash: AUDIT_GENESIS_HASH } as const;
