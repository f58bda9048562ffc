import { Paper, Text, Title } from '@mantine/core';
import { formatUtc } from '../../ui/format.ts';
import { Hash } from '../../ui/Hash.tsx';
import { Time } from '../../ui/Time.tsx';
import type { AuditRow } from './audit-source.ts';
import { summarise } from './audit-format.ts';

/** The details of the selected entry: its fields, hashes (with copy buttons) and canonical line. */
export function AuditDetails({
  row,
  synthetic,
  inDrawer = false,
}: {
  row: AuditRow | undefined;
  synthetic: boolean;
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
