/**
 * The newest checkpoint a verifier has seen, per log origin, kept in a small JSON file
 * (the console's and the offline verifier's memory). A later log shorter than, or
 * inconsistent with, a remembered checkpoint is tampering, even if the attacker also
 * holds a valid older checkpoint.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-file.ts';
import { z } from 'zod';
import type { Checkpoint } from './audit-checkpoint.ts';

const fileSchema = z.object({
  version: z.literal(1),
  logs: z.record(
    z.string(),
    z.object({
      size: z.number().int().min(0),
      head_hash: z.string().regex(/^[0-9a-f]{64}$/),
      note: z.string(),
      verifier_key: z.string(),
    }),
  ),
});
type RememberedFile = z.infer<typeof fileSchema>;

/** Remembered checkpoints, loaded from and saved to one file. */
export class RememberedCheckpoints {
  private readonly path: string;
  private readonly data: RememberedFile;

  private constructor(path: string, data: RememberedFile) {
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
        return new RememberedCheckpoints(path, { version: 1, logs: {} });
      throw error;
    }
    const parsed = fileSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`remembered checkpoints file ${path} is corrupt`);
    return new RememberedCheckpoints(path, parsed.data);
  }

  /** The remembered checkpoint of a log. */
  get(origin: string): Checkpoint | undefined {
    const entry = this.data.logs[origin];
    return entry ? { origin, size: entry.size, headHash: entry.head_hash } : undefined;
  }

  /** The only remembered log, when exactly one is remembered (the common case of one server). */
  only(): Checkpoint | undefined {
    const origins = Object.keys(this.data.logs);
    return origins.length === 1 && origins[0] !== undefined ? this.get(origins[0]) : undefined;
  }

  /** The pinned verifier key, when exactly one log is remembered. */
  onlyVerifierKey(): string | undefined {
    const entries = Object.values(this.data.logs);
    return entries.length === 1 ? entries[0]?.verifier_key : undefined;
  }

  /** Remembers `checkpoint` if it is newer than what is remembered; written atomically (temp + rename). */
  async advance(checkpoint: Checkpoint, note: string, verifierKey: string): Promise<void> {
    const current = this.data.logs[checkpoint.origin];
    if (current && current.size >= checkpoint.size) return;
    this.data.logs[checkpoint.origin] = {
      size: checkpoint.size,
      head_hash: checkpoint.headHash,
      note,
      verifier_key: verifierKey,
    };
    // Fsynced and renamed: a remembered checkpoint is what catches a rolled-back log.
    await writeFileAtomic(this.path, `${JSON.stringify(this.data, null, 2)}\n`);
  }
}
