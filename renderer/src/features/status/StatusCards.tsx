import { Badge, Button, Group, Text } from '@mantine/core';
import { Suspense, useEffect } from 'react';
import { Permission } from '../../../../shared/common/roles.ts';
import { useBridge } from '../../app/bridge-context.ts';
import { roleMay } from '../../app/views.ts';
import { TimeSeriesChart } from '../../ui/charts.ts';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { formatCount } from '../../ui/format.ts';
import { leaseLeft } from '../../ui/lease-text.ts';
import { Time } from '../../ui/Time.tsx';
import { auditStore, useAudit } from '../audit/audit.hooks.ts';
import { machineStore, useMachine } from '../machine/machine.hooks.ts';
import { useVault } from '../vault/vault.hooks.ts';
import { activityMinutes } from './dashboard.store.ts';
import { dashboardStore, useDashboard } from './dashboard.hooks.ts';
import { Card } from './Card.tsx';

/** How often the activity chart re-reads the audit log's last half hour. */
const activityRefreshMs = 30_000;

/** The dashboard's cards that need a role: audit activity and chain, and this machine (anyone). */
export function StatusCards({ role }: { role: string | null }) {
  const mayAudit = roleMay(role, Permission.AuditRead);
  return (
    <>
      {mayAudit ? (
        <ActivityCard />
      ) : (
        <Card title="Audit activity" testId="card-activity">
          <EmptyState action={role ? undefined : { label: 'Sign in', view: 'session' }}>
            {role
              ? 'Your role may not read the audit log; an auditor or admin sees appends, sign-in failures and unlocks per minute here.'
              : 'Sign in as an auditor or admin to see audit appends, sign-in failures and unlocks per minute.'}
          </EmptyState>
        </Card>
      )}
      {mayAudit ? <ChainCard /> : null}
      <MachineCard />
    </>
  );
}

function ActivityCard() {
  const bridge = useBridge();
  const activity = useDashboard((state) => state.activity);
  const error = useDashboard((state) => state.activityError);
  const at = useDashboard((state) => state.activityAt);
  useEffect(() => {
    void dashboardStore.getState().loadActivity(bridge);
    const timer = setInterval(() => void dashboardStore.getState().loadActivity(bridge), activityRefreshMs);
    return () => clearInterval(timer);
  }, [bridge]);
  const total = (key: 'appends' | 'signInFailures' | 'unlocks') =>
    activity?.reduce((sum, bucket) => sum + bucket[key], 0) ?? 0;
  const summary = `Last ${activityMinutes} minutes: ${formatCount(total('appends'))} audit entries, ${formatCount(total('signInFailures'))} sign-in failures, ${formatCount(total('unlocks'))} unlocks`;
  return (
    <Card title="Audit activity per minute" link={{ label: 'Audit', view: 'audit' }} testId="card-activity">
      <ErrorNote error={error} />
      {activity ? (
        <Suspense fallback={<Text size="sm">Loading the chart…</Text>}>
          <TimeSeriesChart
            data={activity.map((bucket) => ({ ...bucket }))}
            series={[
              { key: 'appends', name: 'entries', colour: 'var(--mantine-color-blue-6)' },
              { key: 'signInFailures', name: 'sign-in failures', colour: 'var(--console-bad)' },
              { key: 'unlocks', name: 'unlocks', colour: 'var(--console-ok)' },
            ]}
            summary={summary}
            testId="activity-chart"
          />
          <Text size="xs" c="dimmed">
            {summary}
            {at ? (
              <>
                {' '}
                · updated <Time iso={at} />
              </>
            ) : null}
          </Text>
        </Suspense>
      ) : (
        <Text size="sm" c="dimmed">
          Reading the audit log…
        </Text>
      )}
    </Card>
  );
}

/** The chain's last verification in this page (here or in the Audit view), and a button to run one. */
function ChainCard() {
  const bridge = useBridge();
  const own = {
    verification: useDashboard((state) => state.verification),
    at: useDashboard((state) => state.verifiedAt),
  };
  const verifying = useDashboard((state) => state.verifying);
  const verifyError = useDashboard((state) => state.verifyError);
  const fromView = {
    verification: useAudit(auditStore, (state) => state.verification),
    at: useAudit(auditStore, (state) => state.verifiedAt),
  };
  const latest = (own.at ?? '') >= (fromView.at ?? '') ? own : fromView;
  const result = latest.verification;
  return (
    <Card title="Audit chain" link={{ label: 'Audit', view: 'audit' }} testId="card-chain">
      <ErrorNote error={verifyError} />
      {result && latest.at ? (
        <Group gap="xs">
          <Badge color={result.intact ? 'green' : 'red'} variant="light" data-testid="chain-state">
            {result.intact ? 'intact' : 'BROKEN'}
          </Badge>
          <Text size="sm">
            {result.intact
              ? `${formatCount(result.checked)} entries verified`
              : `first bad entry: seq ${result.firstBadSeq ?? '?'}`}
            {' · '}
            <Time iso={latest.at} />
          </Text>
        </Group>
      ) : (
        <Text size="sm" c="dimmed">
          Not verified in this session yet.
        </Text>
      )}
      <Button
        size="xs"
        variant="default"
        mt="xs"
        loading={verifying}
        onClick={() => void dashboardStore.getState().verifyChain(bridge)}
      >
        Verify the chain now
      </Button>
    </Card>
  );
}

function MachineCard() {
  const bridge = useBridge();
  const info = useMachine((state) => state.info);
  const error = useMachine((state) => state.error);
  const vault = useVault((state) => state.vault);
  useEffect(() => {
    if (!machineStore.getState().info) void machineStore.getState().load(bridge);
  }, [bridge]);
  const lease = info ? leaseLeft(info.leaseValidUntil) : null;
  return (
    <Card title="This machine" link={{ label: 'Machine', view: 'machine' }} testId="card-machine">
      <ErrorNote error={error} />
      {info ? (
        <dl className="facts">
          <dt>Activation</dt>
          <dd>{info.activated ? 'activated' : 'not activated'}</dd>
          <dt>Binding strength</dt>
          <dd>
            <Badge
              size="sm"
              variant="light"
              color={info.bindingStrength >= 3 ? 'green' : info.bindingStrength >= 2 ? 'yellow' : 'red'}
            >
              {info.bindingStrength} hardware components
            </Badge>
          </dd>
          <dt>Offline lease</dt>
          <dd data-testid="status-lease">
            {info.leaseValidUntil ? (
              <>
                until <Time iso={info.leaseValidUntil} mode="local" /> · {lease}
              </>
            ) : (
              'no lease'
            )}
          </dd>
          <dt>Vault</dt>
          <dd>
            {vault?.activated
              ? `${vault.locked ? 'locked' : 'unlocked'} · ${vault.items === 1 ? '1 item' : `${formatCount(vault.items)} items`}`
              : '—'}
          </dd>
        </dl>
      ) : (
        <Text size="sm" c="dimmed">
          Reading the fingerprint…
        </Text>
      )}
      {info && !info.activated ? (
        <EmptyState action={{ label: 'Activate', view: 'session' }}>
          Activate this machine (after signing in) to unlock resources into its vault.
        </EmptyState>
      ) : null}
    </Card>
  );
}
