/**
 * One line of `vault/export-queue.jsonl` (export-queue.ts), in a module of its own so that the
 * queue loads zod only when there is a queue to read (docs/CLI.md §Start-up: a command that starts at once).
 */
import { z } from 'zod';

export const entrySchema = z.strictObject({
  resource_id: z.string(),
  machine_id: z.string(),
  exported_at: z.string(),
});
