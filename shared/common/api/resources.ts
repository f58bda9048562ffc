/**
 * HTTP contract of `/api/v1/resources`, `/api/v1/machines` and the signed objects they
 * carry (docs/SECURITY.md §The split, §Signatures), shared by the Factory API and the console.
 * Manifests and leases are signed by the server over their canonical JSON
 * (shared/common/canonical-json.ts); the console verifies them with the pinned key.
 */
import { z } from 'zod';
import { text } from '../text.ts';

const hex64 = text().regex(/^[0-9a-f]{64}$/, 'a lower-case hex SHA-256');
const size = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const isoTime = text().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'an ISO 8601 UTC time');
const base64 = text().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');
/** Ids the server makes: a prefix and random hex; safe in paths and file names. */
export const resourceIdSchema = text().regex(/^res_[0-9a-f]{24}$/, 'a resource id');
export const machineIdSchema = text().regex(/^mch_[0-9a-f]{24}$/, 'a machine id');

export const MANIFEST_FORMAT = 'factory-console/manifest/v1';
export const LEASE_FORMAT = 'factory-console/lease/v1';

/** What the server signs about one published resource: sizes and SHA-256 of each part. */
export const manifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  resource_id: resourceIdSchema,
  name: text().min(1).max(200),
  version: text().min(1).max(100),
  published_at: isoTime,
  plaintext_size: size,
  plaintext_sha256: hex64,
  chunk_size: z
    .number()
    .int()
    .min(16)
    .max(16 * 1024 * 1024),
  container_size: size,
  small_size: size,
  small_sha256: hex64,
  big_size: size,
  big_sha256: hex64,
  /** Id of the server signing key (first 16 hex digits of SHA-256 of the public key). */
  key_id: text().regex(/^[0-9a-f]{16}$/),
});
export type Manifest = z.infer<typeof manifestSchema>;

/** A manifest with its Ed25519 signature (base64) and the SHA-256 of its canonical JSON. */
export const signedManifestSchema = z.strictObject({
  manifest: manifestSchema,
  canonical_hash: hex64,
  signature: base64,
});
export type SignedManifest = z.infer<typeof signedManifestSchema>;

/** Who may open what on which machine, until when. */
export const leaseSchema = z.strictObject({
  format: z.literal(LEASE_FORMAT),
  user_id: text().min(1).max(100),
  machine_id: machineIdSchema,
  resource_ids: z.array(resourceIdSchema).max(1000),
  issued_at: isoTime,
  valid_until: isoTime,
});
export type Lease = z.infer<typeof leaseSchema>;

export const signedLeaseSchema = z.strictObject({ lease: leaseSchema, signature: base64 });
export type SignedLease = z.infer<typeof signedLeaseSchema>;

export const resourceSummarySchema = z.strictObject({
  id: resourceIdSchema,
  name: text(),
  version: text(),
  plaintext_size: size,
  published_at: isoTime,
});
export type ResourceSummary = z.infer<typeof resourceSummarySchema>;

export const resourceListResponseSchema = z.strictObject({ resources: z.array(resourceSummarySchema) });
export const publishResponseSchema = z.strictObject({
  resource: resourceSummarySchema,
  manifest: signedManifestSchema,
});

/**
 * A download URL: `/cdn/…` on the API's origin, or an absolute http(s) URL (an S3
 * presigned GET). The console applies its own origin policy before using it
 * (electron/core/factory-api/cdn-origin-policy.ts).
 */
export const cdnUrlSchema = text()
  .max(8192)
  .refine(
    (value) => value.startsWith('/cdn/') || /^https?:\/\/[^/?#@]+\//.test(value),
    'expected /cdn/… or an http(s) URL',
  );

export const unlockRequestSchema = z.strictObject({ machine_id: machineIdSchema });
export const unlockResponseSchema = z.strictObject({
  /** base64 of the FCEV envelope: DEK ‖ small part, sealed to the machine's key. */
  envelope: base64,
  /**
   * Where the big part downloads from; expires: a path (with query) on the API's origin
   * (`/cdn/…`), or an absolute URL of the deployment's S3-compatible CDN (presigned).
   */
  cdn_url: cdnUrlSchema,
  cdn_expires_at: isoTime,
  manifest: signedManifestSchema,
  lease: signedLeaseSchema,
});
export type UnlockResponse = z.infer<typeof unlockResponseSchema>;

/** A fresh CDN URL for a download whose URL expired. */
export const cdnUrlResponseSchema = z.strictObject({
  cdn_url: cdnUrlSchema,
  cdn_expires_at: isoTime,
});

export const exportRequestSchema = z.strictObject({
  machine_id: machineIdSchema,
  /** When the export happened on the console (it may be reported later, from an offline queue). */
  exported_at: isoTime,
  offline: z.boolean(),
});

export const activateMachineRequestSchema = z.strictObject({
  hw_hash: text().regex(/^[0-9a-f]{96}$/, 'a lower-case hex SHA-384'),
  public_key: text().regex(/^[A-Za-z0-9+/]{43}=$/, '32 bytes of base64'),
  label: text().trim().min(1).max(100).default('console'),
});

export const activateMachineResponseSchema = z.strictObject({
  machine_id: machineIdSchema,
  lease: signedLeaseSchema,
  /** The server's Ed25519 public key (base64), to pin. */
  server_key: base64,
  key_id: text(),
});
export type ActivateMachineResponse = z.infer<typeof activateMachineResponseSchema>;

/** What the server signs to prove it holds its signing key (see {@link serverIdentityResponseSchema}). */
export const SERVER_IDENTITY_PURPOSE = 'factory-api/server-identity/v1';

/** `GET /api/v1/machines/server-identity?nonce=…`: a fresh random challenge from the console. */
export const serverIdentityRequestSchema = z.strictObject({
  /** 32 random bytes, base64url without padding. */
  nonce: z.string().regex(/^[A-Za-z0-9_-]{43}$/, '32 bytes in base64url'),
});

/**
 * The server's signing key and a signature over the canonical JSON of
 * `{purpose: SERVER_IDENTITY_PURPOSE, nonce}`: a console activated with this key knows
 * it is the same server, whatever address it now answers at.
 */
export const serverIdentityResponseSchema = z.strictObject({
  server_key: base64,
  key_id: z.string(),
  signature: z.string(),
});
export type ServerIdentityResponse = z.infer<typeof serverIdentityResponseSchema>;

export const machineSummarySchema = z.strictObject({
  id: machineIdSchema,
  user_id: text(),
  label: text(),
  created_at: isoTime,
  revoked_at: isoTime.nullable(),
});
export const machineListResponseSchema = z.strictObject({ machines: z.array(machineSummarySchema) });
