/**
 * Online verification of the audit transparency log by proofs alone (docs/SECURITY.md, "The
 * audit log as a transparency log"), shared by the console's audit view and the
 * `audit verify --remember FILE --server URL` CLIs:
 *
 * - {@link proveLogGrew}: the newest signed checkpoint extends the one remembered, by an RFC 9162
 *   consistency proof (O(log n) hashes, no entries downloaded); the remembered checkpoint
 *   advances only once that is proven, and the first visit pins the log's verifier key.
 * - {@link proveEntryIncluded}: one entry is in the signed tree, by an inclusion proof over the
 *   entry's exact leaf bytes (read from its C2SP entry bundle).
 *
 * Nothing here trusts the server: it only fetches, and every answer is checked against a
 * signature by the pinned key.
 */
import {
  auditCheckpointSchema,
  auditConsistencyProofSchema,
  auditInclusionProofSchema,
  AuditVerifyReason,
  type AuditCheckpoint,
  type AuditConsistencyProof,
  type AuditInclusionProof,
} from '../../common/audit-event.ts';
import { compareCheckpoints, openCheckpoint, type Checkpoint } from './audit-checkpoint.ts';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle-tree.ts';
import type { RememberedCheckpoints } from './remembered-checkpoints.ts';
import { NoteVerificationError, parseVerifierKey } from './signed-note.ts';
import { decodeEntryBundle, formatTilePath, TILE_WIDTH } from './tlog-tiles.ts';

/** The server reads the proofs need (each an authenticated GET of the Factory API). */
export interface TlogReader {
  /** `GET /api/v1/audit/checkpoint`. */
  checkpoint(): Promise<AuditCheckpoint>;
  /** `GET /api/v1/audit/proof/inclusion?seq&size`. */
  inclusion(seq: number, size: number): Promise<AuditInclusionProof>;
  /** `GET /api/v1/audit/proof/consistency?from&to`. */
  consistency(from: number, to: number): Promise<AuditConsistencyProof>;
  /** `GET /api/v1/audit/tlog/<path>` (bytes). */
  tile(path: string): Promise<Uint8Array>;
}

/** A {@link TlogReader} over any `GET path → Response` function (fetch with auth, the console's client). */
export function tlogReaderOf(get: (path: string) => Promise<Response>): TlogReader {
  const json = async (path: string): Promise<unknown> => {
    const response = await get(path);
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  };
  return {
    checkpoint: async () => auditCheckpointSchema.parse(await json('/api/v1/audit/checkpoint')),
    inclusion: async (seq, size) =>
      auditInclusionProofSchema.parse(await json(`/api/v1/audit/proof/inclusion?seq=${seq}&size=${size}`)),
    consistency: async (from, to) =>
      auditConsistencyProofSchema.parse(await json(`/api/v1/audit/proof/consistency?from=${from}&to=${to}`)),
    tile: async (path) => {
      const response = await get(`/api/v1/audit/tlog/${path}`);
      if (!response.ok) throw new Error(`GET tlog/${path}: HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}

/** What a consistency check found. `from`/`to` are tree sizes (= seq numbers of their last entries). */
export type GrowthResult =
  | {
      ok: true;
      /** `first`: nothing was remembered for this log (now it is); `same`: no new entries. */
      relation: 'first' | 'same' | 'grew';
      origin: string;
      from: number;
      to: number;
    }
  | {
      ok: false;
      reason: AuditVerifyReason;
      origin: string | null;
      from: number;
      to: number;
      /** The first entry that cannot be what was seen before (null when the checkpoint itself is bad). */
      firstBadSeq: number | null;
      message: string;
    };

const hashes = (list: readonly string[]) => list.map((hash) => Buffer.from(hash, 'base64'));

/**
 * Checks the newest signed checkpoint against the remembered one by a consistency proof and,
 * when it holds, remembers the newest. Never advances the memory on a failure.
 */
export async function proveLogGrew(reader: TlogReader, memory: RememberedCheckpoints): Promise<GrowthResult> {
  const served = await reader.checkpoint();
  const pinnedKey = memory.verifierKeyOf(served.origin);
  const bad = (reason: AuditVerifyReason, firstBadSeq: number | null, message: string, from = 0) =>
    ({ ok: false, reason, origin: served.origin, from, to: served.size, firstBadSeq, message }) as const;
  if (pinnedKey !== undefined && pinnedKey !== served.verifier_key)
    return bad(
      AuditVerifyReason.CheckpointInvalid,
      null,
      `the checkpoint is signed with another key (${served.verifier_key.split('+')[0] ?? '?'}) than the one pinned for ${served.origin}`,
    );
  let fresh: Checkpoint;
  try {
    fresh = openCheckpoint(served.note, parseVerifierKey(pinnedKey ?? served.verifier_key), served.origin);
  } catch (error) {
    if (!(error instanceof NoteVerificationError)) throw error;
    return bad(
      AuditVerifyReason.CheckpointInvalid,
      null,
      `the signed checkpoint does not verify: ${error.message}`,
    );
  }
  const remembered = memory.get(fresh.origin);
  if (!remembered) {
    if (memory.legacyFor(fresh.origin))
      return bad(
        AuditVerifyReason.CheckpointInvalid,
        null,
        'the remembered checkpoint is a chain head from before the Merkle tree: a proof cannot extend it; verify an export once (audit verify FILE --remember) to migrate it',
      );
    await memory.advance(fresh, served.note, served.verifier_key);
    return { ok: true, relation: 'first', origin: fresh.origin, from: fresh.size, to: fresh.size };
  }
  const relation = compareCheckpoints(remembered, fresh);
  const from = remembered.size;
  if (relation === 'stale')
    return bad(
      AuditVerifyReason.CheckpointStale,
      fresh.size + 1,
      `the log is shorter than when you last looked (seq ${from} → ${fresh.size}): entries ${fresh.size + 1}…${from} are gone`,
      from,
    );
  if (relation === 'fork')
    return bad(
      AuditVerifyReason.CheckpointMismatch,
      from,
      `the log forks from what you last saw: the same size ${from} has another root`,
      from,
    );
  if (relation === 'same') return { ok: true, relation, origin: fresh.origin, from, to: fresh.size };
  const proof = await reader.consistency(from, fresh.size);
  const holds =
    proof.from === from &&
    proof.to === fresh.size &&
    verifyConsistency(
      from,
      fresh.size,
      Buffer.from(remembered.rootHash, 'hex'),
      Buffer.from(fresh.rootHash, 'hex'),
      hashes(proof.hashes),
    );
  if (!holds)
    return bad(
      AuditVerifyReason.ProofInvalid,
      from,
      `the consistency proof (seq ${from} → ${fresh.size}) does not verify: this log does not extend the one seen before`,
      from,
    );
  await memory.advance(fresh, served.note, served.verifier_key);
  return { ok: true, relation: 'grew', origin: fresh.origin, from, to: fresh.size };
}

/** What an inclusion check found. */
export type InclusionResult =
  | { ok: true; seq: number; treeSize: number; origin: string }
  | { ok: false; seq: number; treeSize: number | null; reason: AuditVerifyReason; message: string };

/**
 * Proves that entry `seq`, whose chain hash the caller shows as `expectedHash`, is leaf seq−1 of
 * the newest signed tree. The leaf bytes come from the entry's bundle, so what is proven is the
 * exact exported line; the key is the pinned one when `memory` has it.
 */
export async function proveEntryIncluded(
  reader: TlogReader,
  seq: number,
  expectedHash: string,
  memory?: RememberedCheckpoints,
): Promise<InclusionResult> {
  const served = await reader.checkpoint();
  const key = memory?.verifierKeyOf(served.origin) ?? served.verifier_key;
  const bad = (reason: AuditVerifyReason, message: string, treeSize: number | null = null) =>
    ({ ok: false, seq, treeSize, reason, message }) as const;
  let tree: Checkpoint;
  try {
    tree = openCheckpoint(served.note, parseVerifierKey(key), served.origin);
  } catch (error) {
    if (!(error instanceof NoteVerificationError)) throw error;
    return bad(
      AuditVerifyReason.CheckpointInvalid,
      `the signed checkpoint does not verify: ${error.message}`,
    );
  }
  if (seq > tree.size)
    return bad(
      AuditVerifyReason.CheckpointAhead,
      `entry ${seq} is newer than the signed tree (size ${tree.size}); it is covered by the next checkpoint`,
      tree.size,
    );
  const index = seq - 1;
  const bundleIndex = Math.floor(index / TILE_WIDTH);
  const width = Math.min(TILE_WIDTH, tree.size - bundleIndex * TILE_WIDTH);
  const bundle = decodeEntryBundle(
    await reader.tile(formatTilePath({ level: null, index: bundleIndex, width })),
  );
  const leaf = bundle[index % TILE_WIDTH];
  if (!leaf) return bad(AuditVerifyReason.ProofInvalid, `the entry bundle lacks entry ${seq}`, tree.size);
  const line = leaf.toString('utf8');
  if (!line.startsWith(`{"seq":${seq},`) || !line.endsWith(`"hash":"${expectedHash}"}`))
    return bad(
      AuditVerifyReason.HashMismatch,
      `the log's leaf ${index} is not the entry shown (seq ${seq}, hash ${expectedHash.slice(0, 12)}…)`,
      tree.size,
    );
  const proof = await reader.inclusion(seq, tree.size);
  const holds =
    proof.leaf_index === index &&
    proof.tree_size === tree.size &&
    verifyInclusion(
      index,
      tree.size,
      leafHash(leaf),
      hashes(proof.hashes),
      Buffer.from(tree.rootHash, 'hex'),
    );
  if (!holds)
    return bad(
      AuditVerifyReason.ProofInvalid,
      `the inclusion proof of entry ${seq} does not verify against the signed tree of size ${tree.size}`,
      tree.size,
    );
  return { ok: true, seq, treeSize: tree.size, origin: tree.origin };
}
