import type { AuditRow } from './audit-source.ts';

/** The one-line summary of an entry: `from → to` for an agent hand-off, else its resource. */
export function summarise(row: AuditRow): string {
  if (row.type === 'agent_handoff') {
    // The server records `from_agent`/`to_agent`; older summaries used `from`/`to`.
    const from = row.details?.from_agent ?? row.details?.from;
    const to = row.details?.to_agent ?? row.details?.to;
    if (typeof from === 'string' && typeof to === 'string') return `${from} → ${to}`;
    return 'hand-off (from/to not in this summary)';
  }
  return row.resource ?? '';
}

/** `2026-01-01 00:00:30` in UTC (the column says so): sortable, compact, no locale surprises. */
export function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '');
}
