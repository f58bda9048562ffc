/**
 * Audit checkpoints exactly as C2SP `tlog-checkpoint` (https://c2sp.org/tlog-checkpoint): a
 * signed note whose body is `<origin>\n<decimal size>\n<base64 Merkle root>\n`, the root being
 * the RFC 6962 tree hash of the first `size` entries (SHA-256 of nothing for an empty log; see
 * merkle-tree.ts and docs/SECURITY.md).
 *
 * Versioned, never reinterpreted: before the log was a Merkle tree its checkpoints carried the
 * hash-chain head in the root line, under the bare origin. Tree checkpoints use the origin (and
 * key name) `<origin>/tlog`, so an old note can never be read as a tree checkpoint: it is
 * signed by another key name and has another origin, and {@link openCheckpoint} names it.
 */
import { EMPTY_TREE_ROOT } from './merkle-tree.ts';
import { NoteVerificationError, openNote, signNote, type NoteVerifier } from './signed-note.ts';

/** What tree checkpoints' origins (and key names) end with; legacy chain-head ones lack it. */
export const TREE_ORIGIN_SUFFIX = '/tlog';

/** The tree-checkpoint origin of a log whose configured name is `base`. */
export function treeOrigin(base: string): string {
  return base.endsWith(TREE_ORIGIN_SUFFIX) ? base : `${base}${TREE_ORIGIN_SUFFIX}`;
}

/** A checkpoint's body. */
export interface Checkpoint {
  origin: string;
  size: number;
  /** Lower-case hex RFC 6962 root of the first `size` entries. */
  rootHash: string;
}

const EMPTY_ROOT_HEX = EMPTY_TREE_ROOT.toString('hex');

/** The note body of a checkpoint. */
export function formatCheckpointBody(checkpoint: Checkpoint): string {
  if (!/^[0-9a-f]{64}$/.test(checkpoint.rootHash)) throw new RangeError('root hash must be 64 hex digits');
  if (!Number.isSafeInteger(checkpoint.size) || checkpoint.size < 0) throw new RangeError('size must be ≥ 0');
  if (checkpoint.size === 0 && checkpoint.rootHash !== EMPTY_ROOT_HEX) {
    throw new RangeError('an empty log has the root SHA-256("")');
  }
  const root = Buffer.from(checkpoint.rootHash, 'hex').toString('base64');
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
  const rootHash = hash.toString('hex');
  if (size === 0 && rootHash !== EMPTY_ROOT_HEX) {
    throw new NoteVerificationError('an empty log must have the root SHA-256("")');
  }
  return { origin, size, rootHash };
}

/** Signs a checkpoint. HAZMAT: `seed` is the server's Ed25519 private key; do not log. */
export function signCheckpoint(checkpoint: Checkpoint, keyName: string, seed: Uint8Array): string {
  return signNote(formatCheckpointBody(checkpoint), keyName, seed);
}

/** The note's body text before its signatures, unverified (to say what an unaccepted note is). */
function unverifiedOrigin(note: string): string | undefined {
  const split = note.indexOf('\n');
  return split > 0 ? note.slice(0, split) : undefined;
}

/**
 * Verifies a tree checkpoint with a trusted key and returns its body. When `origin` is given
 * the checkpoint must be for that log. A legacy chain-head checkpoint, or a legacy key, is
 * refused with a message that says so. Throws {@link NoteVerificationError}.
 */
export function openCheckpoint(note: string, verifier: NoteVerifier, origin?: string): Checkpoint {
  if (!verifier.name.endsWith(TREE_ORIGIN_SUFFIX)) {
    throw new NoteVerificationError(
      `the key ${verifier.name} is a legacy chain-head checkpoint key; tree checkpoints are signed as ` +
        `${treeOrigin(verifier.name)}: pin the verifier_key of GET /api/v1/audit/checkpoint`,
    );
  }
  const claimed = unverifiedOrigin(note);
  if (claimed !== undefined && !claimed.endsWith(TREE_ORIGIN_SUFFIX)) {
    throw new NoteVerificationError(
      `this is a legacy chain-head checkpoint (origin ${claimed}), from before the log was a Merkle tree; ` +
        'it cannot be checked as a tree checkpoint: export the log again',
    );
  }
  const checkpoint = parseCheckpointBody(openNote(note, verifier));
  if (checkpoint.origin !== verifier.name) {
    throw new NoteVerificationError(`checkpoint origin ${checkpoint.origin} is not the key's log`);
  }
  if (origin !== undefined && checkpoint.origin !== origin) {
    throw new NoteVerificationError(`checkpoint is for another log (${checkpoint.origin})`);
  }
  return checkpoint;
}

/** How a newly seen checkpoint relates to the one remembered for the same log. */
export type CheckpointRelation = 'same' | 'newer' | 'stale' | 'fork';

/**
 * Compares a fresh checkpoint with the remembered one. A smaller size is a rollback
 * (`stale`); the same size with another root is a fork. Whether a larger checkpoint extends
 * the remembered one takes a consistency proof (or the entries).
 */
export function compareCheckpoints(remembered: Checkpoint, fresh: Checkpoint): CheckpointRelation {
  if (fresh.size < remembered.size) return 'stale';
  if (fresh.size === remembered.size) return fresh.rootHash === remembered.rootHash ? 'same' : 'fork';
  return 'newer';
}
