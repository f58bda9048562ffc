import { Paper, Text, Title } from '@mantine/core';
import { useEffect } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import { formatUtc } from '../../ui/format.ts';
import { Hash } from '../../ui/Hash.tsx';
import { Time } from '../../ui/Time.tsx';
import type { AuditRow } from './audit-source.ts';
import { summarise } from './audit-format.ts';
import type { AuditState } from './audit.store.ts';
import { useAudit } from './audit.hooks.ts';

/**
 * Whether the shown entry is in the signed Merkle tree: the main side fetched its inclusion
 * proof and leaf and verified them against the signed checkpoint; this only shows the verdict.
 */
function InclusionProof({ store, row }: { store: StoreApi<AuditState>; row: AuditRow }) {
  const inclusion = useAudit(store, (s) => (s.inclusion?.seq === row.seq ? s.inclusion : null));
  useEffect(() => {
    void store.getState().proveInclusion(row);
  }, [store, row]);
  if (!inclusion || (!inclusion.result && !inclusion.error))
    return (
      <Text size="sm" c="dimmed" data-testid="audit-inclusion" data-state="checking">
        Checking the inclusion proof…
      </Text>
    );
  if (inclusion.error)
    return (
      <Text size="sm" c="orange" data-testid="audit-inclusion" data-state="error">
        Inclusion not checked: {inclusion.error.message}
      </Text>
    );
  const result = inclusion.result!;
  if (result.included)
    return (
      <Text size="sm" c="green" data-testid="audit-inclusion" data-state="included">
        Included in the signed tree of size {result.treeSize} ✓
      </Text>
    );
  const pending = result.reason === 'log_shorter_than_checkpoint';
  return (
    <Text
      size="sm"
      c={pending ? 'dimmed' : 'red'}
      fw={pending ? undefined : 700}
      role={pending ? undefined : 'alert'}
      data-testid="audit-inclusion"
      data-state={pending ? 'pending' : 'failed'}
    >
      {pending ? '' : '✗ NOT PROVEN in the signed tree: '}
      {result.message}
    </Text>
  );
}

/** The details of the selected entry: its fields, hashes (with copy buttons) and canonical line. */
export function AuditDetails({
  row,
  synthetic,
  inDrawer = false,
  store,
}: {
  row: AuditRow | undefined;
  synthetic: boolean;
  /** The real log's store: the details pane then checks the entry's inclusion proof. */
  store?: StoreApi<AuditState>;
  /** In the drawer the title is the drawer's. */
  inDrawer?: boolean;
}) {
  if (!row) {
    return (
      <Paper withBorder p="sm" radius="sm" component="aside" className="details" aria-label="Entry details">
        <Text size="sm" c="dimmed">
          Select an entry (click, or arrows then Enter) to see it here.
        </Text>
      </Paper>
    );
  }
  return (
    <Paper
      withBorder={!inDrawer}
      p={inDrawer ? 0 : 'sm'}
      radius="sm"
      component="aside"
      className="details"
      aria-label="Entry details"
      data-testid="audit-details"
    >
      {inDrawer ? null : (
        <Title order={2} mb="xs">
          Entry {row.seq}
        </Title>
      )}
      <dl className="facts">
        <dt>Type</dt>
        <dd>{row.type}</dd>
        <dt>Actor</dt>
        <dd className="hash-wrap">{row.actor ?? '—'}</dd>
        <dt>Time</dt>
        <dd>
          <Time iso={row.at} mode="both" />
          <Text size="xs" c="dimmed">
            {formatUtc(row.at)}
          </Text>
        </dd>
        {row.type === 'agent_handoff' ? (
          <>
            <dt>Hand-off</dt>
            <dd data-testid="handoff">{summarise(row)}</dd>
          </>
        ) : null}
        {row.resource ? (
          <>
            <dt>Resource</dt>
            <dd className="hash-wrap">{row.resource}</dd>
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
          <Hash value={row.hash} label="entry hash" testId="audit-hash" />
        </dd>
        {row.prevHash ? (
          <>
            <dt>Previous hash</dt>
            <dd>
              <Hash value={row.prevHash} label="previous hash" />
            </dd>
          </>
        ) : null}
        {store && !synthetic ? (
          <>
            <dt>Merkle tree</dt>
            <dd>
              <InclusionProof store={store} row={row} />
            </dd>
          </>
        ) : null}
      </dl>
      <Title order={3} mt="sm" mb={4}>
        Canonical entry
      </Title>
      {row.canonical ? (
        <pre data-testid="canonical">{row.canonical}</pre>
      ) : (
        <Text size="sm" c="dimmed">
          The log&apos;s page summary does not carry the canonical line.
        </Text>
      )}
    </Paper>
  );
}
