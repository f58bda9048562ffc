// Mantine's stylesheets this view needs beyond the shell's list (main.tsx), in styles.css order.
import '@mantine/core/styles/Overlay.css';
import '@mantine/core/styles/Popover.css';
import '@mantine/core/styles/ActionIcon.css';
import '@mantine/core/styles/ModalBase.css';
import '@mantine/core/styles/Combobox.css';
import '@mantine/core/styles/Drawer.css';
import '@mantine/core/styles/Fieldset.css';
import { Button, Group, Text, Title } from '@mantine/core';
import { useEffect } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import { useBridge } from '../../app/bridge-context.ts';
import { Note } from '../../ui/Banner.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { formatCount } from '../../ui/format.ts';
import type { AuditState } from './audit.store.ts';
import { auditStore, useAudit } from './audit.hooks.ts';
import { AuditExport } from './AuditExport.tsx';
import { AuditFilters } from './AuditFilters.tsx';
import { AuditTable } from './AuditTable.tsx';
import { ChainBadge } from './ChainBadge.tsx';
import { TreeConsistency } from './TreeConsistency.tsx';
import { SignedExport } from './SignedExport.tsx';

/**
 * Development, tests and the benchmark: `?audit=synthetic` in the page address opens the
 * view on the synthetic source (labelled as such) whether or not the real log is there.
 */
function syntheticRequested(): boolean {
  return new URLSearchParams(window.location.search).get('audit') === 'synthetic';
}

/** Audit: the whole log in a virtual table, with filters, details, chain badge and live tail. */
export function AuditView({ store = auditStore }: { store?: StoreApi<AuditState> }) {
  const bridge = useBridge();
  const source = useAudit(store, (s) => s.source);
  const sourceProblem = useAudit(store, (s) => s.sourceProblem);
  const connecting = useAudit(store, (s) => s.connecting);
  const filtered = useAudit(store, (s) => Object.keys(s.filter).length > 0);
  const rowCount = useAudit(store, (s) => s.rowCount);
  const countKnown = useAudit(store, (s) => s.countKnown);
  const missed = useAudit(store, (s) => s.missed);
  const paused = useAudit(store, (s) => s.paused);
  const verification = useAudit(store, (s) => s.verification);
  const verifiedAt = useAudit(store, (s) => s.verifiedAt);
  const verifying = useAudit(store, (s) => s.verifying);
  const error = useAudit(store, (s) => s.error);
  const filter = useAudit(store, (s) => s.filter);

  useEffect(() => {
    const current = store.getState();
    // Back on the view: nobody listened while it was closed, so re-read the real log.
    // Every visit also proves the log only grew since the checkpoint this console remembers.
    if (current.source?.kind === 'bridge') {
      void current.setFilter(current.filter);
      void current.proveConsistency();
    }
    if (current.source) return;
    if (syntheticRequested()) void store.getState().loadSynthetic();
    else
      void store
        .getState()
        .connect(bridge)
        .then(() => store.getState().proveConsistency());
  }, [bridge, store]);
  // Paused: not subscribed at all, so nothing moves; resuming reloads what arrived meanwhile.
  useEffect(() => (source && !paused ? store.getState().follow() : undefined), [source, paused, store]);

  const synthetic = source?.kind === 'synthetic';

  return (
    <section aria-labelledby="audit-title">
      <Title order={1} id="audit-title" className="view-title">
        Audit log
      </Title>
      {sourceProblem && synthetic ? (
        <Text size="sm" c="dimmed">
          The real audit log is not available: {sourceProblem.message}.
        </Text>
      ) : null}
      {sourceProblem && !source ? (
        <>
          <ErrorNote error={sourceProblem} testId="audit-unavailable" />
          <Text size="sm" my="xs">
            The console cannot page the real audit log (sign in with an account that may read it, e.g. an
            admin or auditor). To try the view at full scale, load generated data — it is labelled as
            synthetic everywhere and never mixed with real entries.
          </Text>
          <Button size="xs" variant="default" onClick={() => void store.getState().loadSynthetic()}>
            Show 1 000 000 synthetic entries (not real)
          </Button>
        </>
      ) : null}
      {connecting ? (
        <Text size="sm" c="dimmed">
          Opening the audit log…
        </Text>
      ) : null}
      {synthetic ? (
        <Note tone="warning" testId="synthetic-label">
          <span className="synthetic-label">SYNTHETIC DATA</span> — generated in this page to exercise the
          view. This is not your audit log; hashes are not real.
        </Note>
      ) : null}
      {source ? (
        <>
          <AuditFilters onApply={(filter) => void store.getState().setFilter(filter)} />
          <Group gap="xs" my="xs" wrap="wrap" className="toolbar">
            <ChainBadge
              verification={verification}
              verifiedAt={verifiedAt}
              onShowBad={(seq) => store.getState().select(filtered ? null : seq - 1)}
            />
            <Button
              size="xs"
              variant="default"
              disabled={verifying}
              onClick={() => void store.getState().verify()}
            >
              {verifying ? 'Verifying…' : 'Verify chain'}
            </Button>
            <Button
              size="xs"
              variant="default"
              aria-pressed={paused}
              onClick={() => void store.getState().setPaused(!paused)}
            >
              {paused ? 'Resume live tail' : 'Pause live tail'}
            </Button>
            <AuditExport source={source} filter={filter} />
            <Text size="sm" c="dimmed" data-testid="audit-count" aria-live="polite">
              {formatCount(rowCount)} {countKnown ? '' : '+ '}entries
              {missed > 0 ? ` · ${formatCount(missed)} new hidden by the filter` : ''}
            </Text>
          </Group>
          {source.kind === 'bridge' ? <TreeConsistency store={store} /> : null}
          {source.kind === 'bridge' ? <SignedExport store={store} /> : null}
          <ErrorNote error={error} />
          <AuditTable store={store} follow={!paused && !filtered && countKnown} />
        </>
      ) : null}
    </section>
  );
}
