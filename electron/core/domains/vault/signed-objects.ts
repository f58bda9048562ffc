/**
 * Checks of what the server signed (docs/SECURITY.md §Signatures): a manifest or a lease is
 * believed only when its Ed25519 signature verifies under the server key pinned at
 * activation, and only for the resource and machine it names.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../../shared/common/canonical-json.ts';
import type {
  Lease,
  Manifest,
  SignedLease,
  SignedManifest,
} from '../../../../shared/common/api/resources.ts';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { verifyCanonical } from '../../../../shared/node/crypto/signing.ts';
import { ConsoleError } from '../../platform/console-error.ts';

function serverKeyOf(base64: string): Buffer {
  return Buffer.from(base64, 'base64');
}

/** The manifest, if its signature verifies and it is the one of `resourceId`. */
export function verifyManifest(serverKey: string, signed: SignedManifest, resourceId: string): Manifest {
  const canonical = canonicalJson(signed.manifest);
  const hashOk = createHash('sha256').update(canonical).digest('hex') === signed.canonical_hash;
  if (!hashOk || !verifyCanonical(serverKeyOf(serverKey), signed.manifest, signed.signature)) {
    throw new ConsoleError(
      ErrorCode.IntegrityFailed,
      'The resource manifest is not signed by the pinned server key: refused.',
    );
  }
  if (signed.manifest.resource_id !== resourceId) {
    throw new ConsoleError(ErrorCode.IntegrityFailed, 'The manifest belongs to another resource: refused.');
  }
  if (signed.manifest.small_size + signed.manifest.big_size !== signed.manifest.container_size) {
    throw new ConsoleError(ErrorCode.IntegrityFailed, 'The manifest is inconsistent: refused.');
  }
  return signed.manifest;
}

/** The lease, if it is signed, names this machine and resource, and has not expired at `now`. */
export function verifyLease(
  serverKey: string,
  signed: SignedLease,
  expected: { machineId: string; resourceId?: string; now: number },
): Lease {
  if (!verifyCanonical(serverKeyOf(serverKey), signed.lease, signed.signature)) {
    throw new ConsoleError(
      ErrorCode.IntegrityFailed,
      'The lease is not signed by the pinned server key: refused.',
    );
  }
  const { lease } = signed;
  if (lease.machine_id !== expected.machineId) {
    throw new ConsoleError(ErrorCode.HardwareMismatch, 'The lease was issued to another machine: refused.');
  }
  if (expected.resourceId !== undefined && !lease.resource_ids.includes(expected.resourceId)) {
    throw new ConsoleError(ErrorCode.IntegrityFailed, 'The lease does not cover this resource: refused.');
  }
  if (Date.parse(lease.valid_until) <= expected.now) {
    throw new ConsoleError(
      ErrorCode.LeaseExpired,
      `The lease expired on ${lease.valid_until}: connect to the Factory API and unlock again to renew it.`,
    );
  }
  return lease;
}
