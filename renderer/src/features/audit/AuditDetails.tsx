import type { AuditRow } from './audit-source.ts';
import { summarise } from './audit-format.ts';

/** The details pane: the selected entry, its hashes and its canonical line. */
export function AuditDetails({ row, synthetic }: { row: AuditRow | undefined; synthetic: boolean }) {
  if (!row) {
    return (
      <aside className="details" aria-label="Entry details">
        <p className="muted">Select an entry (click, or arrows then Enter) to see it here.</p>
      </aside>
    );
  }
  return (
    <aside className="details" aria-label="Entry details" data-testid="audit-details">
      <h2>Entry {row.seq}</h2>
      <dl>
        <dt>Type</dt>
        <dd>{row.type}</dd>
        <dt>Actor</dt>
        <dd>{row.actor ?? '—'}</dd>
        <dt>Time</dt>
        <dd>{row.at}</dd>
        {row.type === 'agent_handoff' ? (
          <>
            <dt>Hand-off</dt>
            <dd data-testid="handoff">{summarise(row)}</dd>
          </>
        ) : null}
        {row.resource ? (
          <>
            <dt>Resource</dt>
            <dd>{row.resource}</dd>
          </>
        ) : null}
        {row.details && Object.keys(row.details).length > 0 ? (
          <>
            <dt>Details</dt>
            <dd>
              <pre data-testid="audit-entry-details">{JSON.stringify(row.details, null, 2)}</pre>
            </dd>
          </>
        ) : null}
        <dt>Hash{synthetic ? ' (synthetic, not SHA-256)' : ''}</dt>
        <dd>
          <code>{row.hash}</code>
        </dd>
        {row.prevHash ? (
          <>
            <dt>Previous hash</dt>
            <dd>
              <code>{row.prevHash}</code>
            </dd>
          </>
        ) : null}
      </dl>
      <h3>Canonical entry</h3>
      {row.canonical ? (
        <pre data-testid="canonical">{row.canonical}</pre>
      ) : (
        <p className="muted">The log&apos;s page summary does not carry the canonical line.</p>
      )}
    </aside>
  );
}
