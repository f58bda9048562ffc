/**
 * Audit checkpoints in the C2SP `tlog-checkpoint` format (https://c2sp.org/tlog-checkpoint):
 * a signed note whose body is `<origin>\n<size>\n<base64 root hash>\n`. Our log is a hash
 * chain, not a Merkle tree, so the "root hash" is the chain head: the `hash` of entry
 * `size` (the genesis hash for an empty log).
 *
 * Why checkpoints: a chain alone cannot tell a log whose newest entries were cut off, or
 * that was rewritten from some point with recomputed hashes, from an honest shorter log.
 * A signed (size, head) pair that a verifier remembers can.
 */
import { AUDIT_GENESIS_HASH } from '../../common/audit-event.ts';
import { NoteVerificationError, openNote, signNote, type NoteVerifier } from './signed-note.ts';

/** A checkpoint's body. */
export interface Checkpoint {
  origin: string;
  size: number;
  /** Lower-case hex SHA-256 of the head entry (genesis hash when `size` is 0). */
  headHash: string;
}

/** The note body of a checkpoint. */
export function formatCheckpointBody(checkpoint: Checkpoint): string {
  if (!/^[0-9a-f]{64}$/.test(checkpoint.headHash)) throw new RangeError('head hash must be 64 hex digits');
  if (!Number.isSafeInteger(checkpoint.size) || checkpoint.size < 0) throw new RangeError('size must be ≥ 0');
  if (checkpoint.size === 0 && checkpoint.headHash !== AUDIT_GENESIS_HASH) {
    throw new RangeError('an empty log has the genesis head');
  }
  const root = Buffer.from(checkpoint.headHash, 'hex').toString('base64');
  return `${checkpoint.origin}\n${checkpoint.size}\n${root}\n`;
}

/** Parses a checkpoint body (extension lines after the third are allowed and ignored). */
export function parseCheckpointBody(text: string): Checkpoint {
  const lines = text.split('\n');
  const [origin, sizeText, root] = lines;
  if (lines.length < 4 || lines.at(-1) !== '' || !origin || !sizeText || !root) {
    throw new NoteVerificationError('malformed checkpoint body');
  }
  // Decimal without leading zeros (tlog-checkpoint): one size has one spelling.
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText)) throw new NoteVerificationError('malformed checkpoint size');
  const size = Number(sizeText);
  const hash = Buffer.from(root, 'base64');
  if (!Number.isSafeInteger(size) || hash.length !== 32 || hash.toString('base64') !== root) {
    throw new NoteVerificationError('malformed checkpoint root hash');
  }
  return { origin, size, headHash: hash.toString('hex') };
}

/** Signs a checkpoint. HAZMAT: `seed` is the server's Ed25519 private key; do not log. */
export function signCheckpoint(checkpoint: Checkpoint, keyName: string, seed: Uint8Array): string {
  return signNote(formatCheckpointBody(checkpoint), keyName, seed);
}

/**
 * Verifies a checkpoint note with a trusted key and returns its body. When `origin` is
 * given the checkpoint must be for that log. Throws {@link NoteVerificationError}.
 */
export function openCheckpoint(note: string, verifier: NoteVerifier, origin?: string): Checkpoint {
  const checkpoint = parseCheckpointBody(openNote(note, verifier));
  if (origin !== undefined && checkpoint.origin !== origin) {
    throw new NoteVerificationError(`checkpoint is for another log (${checkpoint.origin})`);
  }
  return checkpoint;
}

/** How a newly seen checkpoint relates to the one remembered for the same log. */
export type CheckpointRelation = 'same' | 'newer' | 'stale' | 'fork';

/**
 * Compares a fresh checkpoint with the remembered one. A smaller size is a rollback
 * (`stale`); the same size with another head is a fork. Whether a larger checkpoint
 * extends the remembered one is decided against the log itself (see {@link checkLogAgainst}).
 */
export function compareCheckpoints(remembered: Checkpoint, fresh: Checkpoint): CheckpointRelation {
  if (fresh.size < remembered.size) return 'stale';
  if (fresh.size === remembered.size) return fresh.headHash === remembered.headHash ? 'same' : 'fork';
  return 'newer';
}

/** Why a log is inconsistent with a checkpoint, or `null` when it is consistent. */
export type LogCheckpointProblem = 'log_shorter_than_checkpoint' | 'log_inconsistent_with_checkpoint' | null;

/**
 * A hash-chain log is consistent with checkpoint (n, h) when it has at least n entries
 * and entry n's hash is h: every earlier entry is bound to h through `prev_hash`.
 */
export function checkLogAgainst(
  checkpoint: Checkpoint,
  logSize: number,
  hashAt: (seq: number) => string | undefined,
): LogCheckpointProblem {
  if (logSize < checkpoint.size) return 'log_shorter_than_checkpoint';
  const hash = checkpoint.size === 0 ? AUDIT_GENESIS_HASH : hashAt(checkpoint.size);
  return hash === checkpoint.headHash ? null : 'log_inconsistent_with_checkpoint';
}
