/**
 * Export of what the audit view shows: the entries matching the current filter, one
 * JSON line each (the canonical line when the source has it, else the summary), read
 * through the same source in pages. Bounded, because the page holds the file in memory;
 * a full, signed export of the real log is the server's job (`audit:export`).
 */
import type { Result } from '../../../../shared/common/contract/result.ts';
import { ok } from '../../../../shared/common/contract/result.ts';
import type { AuditFilter, AuditRow, AuditSource } from './audit-source.ts';

export const maxExportEntries = 100_000;
const pageSize = 500;

export interface ExportProgress {
  done: number;
  total: number | null;
}

function line(row: AuditRow): string {
  if (row.canonical) return row.canonical;
  return JSON.stringify({ seq: row.seq, ts: row.at, type: row.type, actor: row.actor, hash: row.hash });
}

/** Reads up to {@link maxExportEntries} entries; `shouldStop` lets the operator cancel between pages. */
export async function exportEntries(
  source: AuditSource,
  filter: AuditFilter,
  onProgress: (progress: ExportProgress) => void,
  shouldStop: () => boolean,
): Promise<Result<{ text: string; count: number; truncated: boolean; stopped: boolean }>> {
  const lines: string[] = [];
  let total: number | null = null;
  for (let start = 0; start < maxExportEntries; start += pageSize) {
    if (shouldStop()) return ok({ text: '', count: 0, truncated: false, stopped: true });
    const page = await source.load(filter, start, Math.min(pageSize, maxExportEntries - start));
    if (!page.ok) return page;
    total = page.value.total ?? total;
    for (const row of page.value.entries) lines.push(line(row));
    onProgress({ done: lines.length, total: total === null ? null : Math.min(total, maxExportEntries) });
    if (!page.value.hasMore)
      return ok({
        text: lines.map((each) => `${each}\n`).join(''),
        count: lines.length,
        truncated: false,
        stopped: false,
      });
  }
  return ok({
    text: lines.map((each) => `${each}\n`).join(''),
    count: lines.length,
    truncated: true,
    stopped: false,
  });
}
