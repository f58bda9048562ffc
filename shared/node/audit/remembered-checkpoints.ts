/**
 * The newest checkpoint a verifier has seen, per log origin, kept in a small JSON file
 * (the console's and the offline verifier's memory). A later log shorter than, or
 * inconsistent with, a remembered checkpoint is tampering, even if the attacker also
 * holds a valid older checkpoint.
 *
 * File versions: 2 remembers tree checkpoints (size, Merkle root). Version 1 files, written
 * before the log was a Merkle tree, remembered chain heads: they load as `legacy` entries,
 * which are never read as roots. A verifier that has the entries checks a legacy entry by the
 * old rule (entry `size` has that chain hash) and then replaces it with a tree checkpoint
 * (see offline-verify.ts); one that has only proofs refuses it and says how to migrate.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../atomic-file.ts';
import { treeOrigin, type Checkpoint } from './audit-checkpoint.ts';
import { formatVerifierKey, parseVerifierKey } from './signed-note.ts';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const legacyEntrySchema = z.object({
  size: z.number().int().min(0),
  head_hash: hex64,
  note: z.string(),
  verifier_key: z.string(),
});
const treeEntrySchema = z.object({
  size: z.number().int().min(0),
  root_hash: hex64,
  note: z.string(),
  verifier_key: z.string(),
});
const fileSchema = z.discriminatedUnion('version', [
  z.object({ version: z.literal(1), logs: z.record(z.string(), legacyEntrySchema) }),
  z.object({
    version: z.literal(2),
    logs: z.record(z.string(), treeEntrySchema),
    legacy: z.record(z.string(), legacyEntrySchema).default({}),
  }),
]);
type TreeFile = {
  version: 2;
  logs: Record<string, z.infer<typeof treeEntrySchema>>;
  legacy: Record<string, z.infer<typeof legacyEntrySchema>>;
};

/** A chain-head checkpoint remembered before the Merkle tree (file version 1). */
export interface LegacyCheckpoint {
  /** The legacy origin (without the `/tlog` suffix). */
  origin: string;
  size: number;
  /** The chain hash of entry `size`. */
  headHash: string;
}

/** Remembered checkpoints, loaded from and saved to one file. */
export class RememberedCheckpoints {
  readonly path: string;
  private readonly data: TreeFile;

  private constructor(path: string, data: TreeFile) {
    this.path = path;
    this.data = data;
  }

  /** Loads the file; a missing file is an empty memory, a corrupt one is an error (never silently reset). */
  static async load(path: string): Promise<RememberedCheckpoints> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return new RememberedCheckpoints(path, { version: 2, logs: {}, legacy: {} });
      throw error;
    }
    let parsed;
    try {
      parsed = fileSchema.safeParse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) throw new Error(`remembered checkpoints file ${path} is corrupt`);
    const data = parsed.data;
    if (data.version === 1)
      return new RememberedCheckpoints(path, { version: 2, logs: {}, legacy: data.logs });
    return new RememberedCheckpoints(path, data);
  }

  /** The remembered tree checkpoint of a log. */
  get(origin: string): Checkpoint | undefined {
    const entry = this.data.logs[origin];
    return entry ? { origin, size: entry.size, rootHash: entry.root_hash } : undefined;
  }

  /** The verifier key pinned for a tree log (the one its remembered checkpoint was signed with). */
  verifierKeyOf(origin: string): string | undefined {
    return this.data.logs[origin]?.verifier_key;
  }

  /** The remembered legacy chain-head checkpoint of the log whose tree origin is `origin`. */
  legacyFor(origin: string): LegacyCheckpoint | undefined {
    for (const [legacyOrigin, entry] of Object.entries(this.data.legacy)) {
      if (treeOrigin(legacyOrigin) === origin)
        return { origin: legacyOrigin, size: entry.size, headHash: entry.head_hash };
    }
    return undefined;
  }

  /** The only remembered log, when exactly one tree log is remembered. */
  only(): Checkpoint | undefined {
    const origins = Object.keys(this.data.logs);
    return origins.length === 1 && origins[0] !== undefined ? this.get(origins[0]) : undefined;
  }

  /** The only remembered legacy log, when no tree log is remembered yet. */
  onlyLegacy(): LegacyCheckpoint | undefined {
    const origins = Object.keys(this.data.legacy);
    if (Object.keys(this.data.logs).length > 0 || origins.length !== 1 || origins[0] === undefined)
      return undefined;
    return this.legacyFor(treeOrigin(origins[0]));
  }

  /**
   * The pinned verifier key, when exactly one log is remembered. A legacy pin names the same
   * Ed25519 key under the legacy name: the tree checkpoints' key is that key under `<name>/tlog`.
   */
  onlyVerifierKey(): string | undefined {
    const entries = Object.values(this.data.logs);
    if (entries.length === 1) return entries[0]?.verifier_key;
    const legacy = Object.values(this.data.legacy);
    if (entries.length === 0 && legacy.length === 1 && legacy[0]) {
      const key = parseVerifierKey(legacy[0].verifier_key);
      return formatVerifierKey(treeOrigin(key.name), key.publicKey);
    }
    return undefined;
  }

  /**
   * Remembers `checkpoint` if it is newer than what is remembered, and drops the log's legacy
   * entry (the caller proved the new checkpoint consistent with it). Written atomically.
   */
  async advance(checkpoint: Checkpoint, note: string, verifierKey: string): Promise<void> {
    const current = this.data.logs[checkpoint.origin];
    const legacy = this.legacyFor(checkpoint.origin);
    if (current && current.size >= checkpoint.size && !legacy) return;
    if (!current || current.size < checkpoint.size) {
      this.data.logs[checkpoint.origin] = {
        size: checkpoint.size,
        root_hash: checkpoint.rootHash,
        note,
        verifier_key: verifierKey,
      };
    }
    if (legacy) delete this.data.legacy[legacy.origin];
    // Fsynced and renamed: a remembered checkpoint is what catches a rolled-back log.
    await writeFileAtomic(this.path, `${JSON.stringify(this.data, null, 2)}\n`);
  }
}
