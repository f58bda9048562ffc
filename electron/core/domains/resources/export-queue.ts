/**
 * Exports are audited (docs/ARCHITECTURE.md §The offline vault): online, the server is told at once; offline,
 * the event is queued in `vault/export-queue.jsonl` and sent at the next online unlock.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import type { ResilientApiClient } from '../../factory-api/resilient-api.client.ts';
import { vaultDir } from '../vault/vault-layout.ts';
import type { entrySchema } from './export-queue.schema.ts';

type QueuedExport = z.infer<typeof entrySchema>;

function queuePath(home: string): string {
  return path.join(vaultDir(home), 'export-queue.jsonl');
}

export async function queueExport(home: string, entry: QueuedExport): Promise<void> {
  await fs.mkdir(vaultDir(home), { recursive: true, mode: 0o700 });
  await fs.appendFile(queuePath(home), `${JSON.stringify(entry)}\n`, { mode: 0o600 });
}

export async function queuedExports(home: string): Promise<QueuedExport[]> {
  let text: string;
  try {
    text = await fs.readFile(queuePath(home), 'utf8');
  } catch {
    return [];
  }
  // Loaded once there is a queue to read: `status` on an empty vault loads no zod.
  const schema = (await import('./export-queue.schema.ts')).entrySchema;
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        const parsed = schema.safeParse(JSON.parse(line));
        return parsed.success ? [parsed.data] : [];
      } catch {
        return [];
      }
    });
}

/** Sends queued exports; keeps those the server did not take. Returns how many were sent. */
export async function flushExportQueue(home: string, client: ResilientApiClient): Promise<number> {
  const entries = await queuedExports(home);
  if (entries.length === 0) return 0;
  const left: QueuedExport[] = [];
  for (const entry of entries) {
    try {
      await client.reportExport(entry.resource_id, {
        machineId: entry.machine_id,
        exportedAt: entry.exported_at,
        offline: true,
      });
    } catch {
      left.push(entry);
    }
  }
  if (left.length === 0) await fs.rm(queuePath(home), { force: true });
  else
    await fs.writeFile(queuePath(home), left.map((entry) => `${JSON.stringify(entry)}\n`).join(''), {
      mode: 0o600,
    });
  return entries.length - left.length;
}
