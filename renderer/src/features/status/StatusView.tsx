import { Badge, Button, Group, Table, Text, Title } from '@mantine/core';
import { Suspense, useEffect } from 'react';
import { Card } from './Card.tsx';
import type { PostureItem } from '../../../../shared/common/contract/bridge.ts';
import { Permission } from '../../../../shared/common/roles.ts';
import { useBridge } from '../../app/bridge-context.ts';
import { roleMay } from '../../app/views.ts';
import { TimeSeriesChart } from '../../ui/charts.ts';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { formatCount, formatDuration } from '../../ui/format.ts';
import { Time } from '../../ui/Time.tsx';
import { firewallStore, useFirewall } from '../firewall/firewall.hooks.ts';
import { useSession } from '../session/session.hooks.ts';
import { StatusCards } from './StatusCards.tsx';
import { statusStore, useStatus } from './status.hooks.ts';

const stateLabel = { info: 'note', warning: 'warning', critical: 'fix' } as const;
const stateColour = { info: 'blue', warning: 'yellow', critical: 'red' } as const;
const order = { critical: 0, warning: 1, info: 2 } as const;

/** Failing checks first (critical, warning, note), then the passing ones, each group in the server's order. */
export function sortPosture(items: readonly PostureItem[]): PostureItem[] {
  return [...items].sort(
    (a, b) => Number(a.ok) - Number(b.ok) || (a.ok ? 0 : order[a.severity] - order[b.severity]),
  );
}

/**
 * Status, the first view: the server's identity and mode, the posture checklist (severity
 * and the fix per item), charts of refusals and audit activity, this machine's binding
 * and lease, and the audit chain's last verification — each card linking to its view.
 * Refreshes itself (the mode strip polls the status) and says when it last did.
 */
export function StatusView() {
  const bridge = useBridge();
  const status = useStatus((state) => state.status);
  const app = useStatus((state) => state.app);
  const loading = useStatus((state) => state.loading);
  const error = useStatus((state) => state.error);
  const role = useSession((state) => (state.session?.signedIn ? state.session.role : null));
  const session = useSession((state) => state.session);

  useEffect(() => {
    if (!statusStore.getState().status) void statusStore.getState().refresh(bridge);
  }, [bridge]);

  const failing = status?.posture.filter((item) => !item.ok).length ?? 0;

  return (
    <section aria-labelledby="status-title">
      <Group justify="space-between" className="view-title">
        <Title order={1} id="status-title">
          Status
        </Title>
        <Group gap="xs">
          <Text size="xs" c="dimmed" data-testid="status-updated">
            {status ? (
              <>
                updated <Time iso={status.checkedAt} />
              </>
            ) : null}
          </Text>
          <Button
            size="xs"
            variant="default"
            onClick={() => void statusStore.getState().refresh(bridge)}
            loading={loading}
          >
            Refresh
          </Button>
        </Group>
      </Group>
      <ErrorNote error={status ? null : error} testId="status-view-error" />
      <div className="dashboard">
        <Card title="Server" link={{ label: 'Settings', view: 'settings' }} testId="card-server">
          {status ? (
            <dl className="facts">
              <dt>Server</dt>
              <dd>
                <code>{status.embedded ? 'embedded demo factory' : (status.serverUrl ?? '—')}</code>
              </dd>
              <dt>Mode</dt>
              <dd>
                <Badge
                  size="sm"
                  variant="light"
                  color={status.debug ? 'red' : status.mode === 'production' ? 'green' : 'yellow'}
                >
                  {status.mode}
                  {status.publicDemo ? ' · public' : ''}
                  {status.debug ? ' · debug' : ''}
                </Badge>
              </dd>
              <dt>Version</dt>
              <dd>{status.version ?? 'unknown'}</dd>
              <dt>Uptime</dt>
              <dd data-testid="status-uptime">
                {status.uptimeSeconds === null ? 'unknown' : formatDuration(status.uptimeSeconds)}
              </dd>
              <dt>TLS</dt>
              <dd>{status.tls ?? 'unknown'}</dd>
              <dt>Signed in</dt>
              <dd data-testid="status-account">
                {session?.signedIn ? `${session.email} (${session.role})` : 'nobody'}
              </dd>
            </dl>
          ) : (
            <Text size="sm" c="dimmed">
              {loading ? 'Asking the Factory API…' : 'No status yet.'}
            </Text>
          )}
          {status?.embedded && app?.embeddedAdminEmail && !session?.signedIn ? (
            <Text size="sm" mt="xs">
              Sign in as <code>{app.embeddedAdminEmail}</code>; its one-time password is in the embedded
              factory&apos;s data folder (<code>secrets/bootstrap_admin.txt</code>).
            </Text>
          ) : null}
        </Card>

        <Card
          title={`Security posture${status ? ` · ${failing === 0 ? 'all ok' : `${failing} to look at`}` : ''}`}
          testId="card-posture"
          wide
        >
          {status && status.posture.length > 0 ? (
            <Table
              data-testid="posture"
              className="posture-table"
              verticalSpacing={4}
              horizontalSpacing="xs"
              fz="sm"
            >
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">State</Table.Th>
                  <Table.Th scope="col">Check</Table.Th>
                  <Table.Th scope="col">Detail and fix</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {sortPosture(status.posture).map((item) => (
                  <Table.Tr key={item.id} data-ok={item.ok}>
                    <Table.Td>
                      <Badge size="sm" variant="light" color={item.ok ? 'green' : stateColour[item.severity]}>
                        {item.ok ? 'ok' : stateLabel[item.severity]}
                      </Badge>
                    </Table.Td>
                    <Table.Th scope="row" fw={600}>
                      {item.id}
                    </Table.Th>
                    <Table.Td>
                      <div>{item.detail}</div>
                      {item.ok ? null : (
                        <Text size="xs" c="dimmed" data-testid="posture-fix">
                          Fix: {item.fix}
                        </Text>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          ) : (
            <Text size="sm" c="dimmed">
              {status ? 'The server reports no posture checks.' : 'Waiting for the server.'}
            </Text>
          )}
        </Card>

        {roleMay(role, Permission.FirewallRead) ? (
          <RefusalsCard />
        ) : (
          <Card title="Refusals (401 / 429)" testId="card-refusals">
            <EmptyState action={role ? undefined : { label: 'Sign in', view: 'session' }}>
              {role
                ? 'Your role may not read the firewall; an operator, auditor or admin sees refused requests over time here.'
                : 'Sign in to see refused requests (401 / 429) over time.'}
            </EmptyState>
          </Card>
        )}
        <StatusCards role={role} />
      </div>
    </section>
  );
}

/** 401 / 429 per sampling interval, from the samples the firewall slice keeps. */
function RefusalsCard() {
  return (
    <Suspense fallback={<Text size="sm">Loading the chart…</Text>}>
      <RefusalsChart />
    </Suspense>
  );
}

function RefusalsChart() {
  const bridge = useBridge();
  const samples = useFirewall((state) => state.samples);
  const monitorError = useFirewall((state) => state.monitorError);
  useEffect(() => {
    void firewallStore.getState().refreshMonitor(bridge);
    const timer = setInterval(() => void firewallStore.getState().refreshMonitor(bridge), 10_000);
    return () => clearInterval(timer);
  }, [bridge]);
  const unauthorized = samples?.reduce((sum, sample) => sum + sample.unauthorized, 0) ?? 0;
  const limited = samples?.reduce((sum, sample) => sum + sample.rateLimited, 0) ?? 0;
  const summary = `${formatCount(unauthorized)} unauthorized (401) and ${formatCount(limited)} rate-limited (429) responses in the sampled minutes`;
  return (
    <Card title="Refusals (401 / 429)" link={{ label: 'Firewall', view: 'firewall' }} testId="card-refusals">
      <ErrorNote error={monitorError} />
      {samples && samples.length > 0 ? (
        <>
          <TimeSeriesChart
            data={samples.map((sample) => ({ ...sample }))}
            series={[
              { key: 'unauthorized', name: '401 unauthorized', colour: 'var(--console-bad)' },
              { key: 'rateLimited', name: '429 rate limited', colour: 'var(--console-warn)' },
            ]}
            summary={summary}
          />
          <Text size="xs" c="dimmed">
            {summary}.
          </Text>
        </>
      ) : (
        <Text size="sm" c="dimmed">
          Sampling the server&apos;s 401 / 429 counters every few seconds; the chart fills in shortly.
        </Text>
      )}
    </Card>
  );
}
