// Mantine's stylesheets this view needs beyond the shell's list (main.tsx), in styles.css order.
import '@mantine/core/styles/Overlay.css';
import '@mantine/core/styles/ActionIcon.css';
import '@mantine/core/styles/ModalBase.css';
import '@mantine/core/styles/Modal.css';
import '@mantine/core/styles/PasswordInput.css';
import '@mantine/core/styles/Progress.css';
import { Badge, Button, Group, Table, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { ResourceSummary } from '../../../../shared/common/contract/bridge.ts';
import type { BridgeError } from '../../../../shared/common/contract/result.ts';
import { useBridge } from '../../app/bridge-context.ts';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { describeError } from '../../ui/error-advice.ts';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { formatBytes } from '../../ui/format.ts';
import { leaseLeft } from '../../ui/lease-text.ts';
import { ProgressBar } from '../../ui/ProgressBar.tsx';
import { useSession } from '../session/session.hooks.ts';
import { ExportDialog } from './ExportDialog.tsx';
import { resourcesStore, useResources } from './resources.hooks.ts';
import { UnlockDialog } from './UnlockDialog.tsx';

const stateLabel: Record<ResourceSummary['state'], string> = {
  locked: 'locked',
  unlocked: 'in vault',
  offline: 'offline lease',
};
const stateColour: Record<ResourceSummary['state'], string> = {
  locked: 'gray',
  unlocked: 'green',
  offline: 'blue',
};

/** Why an unlock failed and what to do, under the row's "unlock failed" badge. */
function UnlockFailure({ error }: { error: BridgeError | undefined }) {
  if (!error) return null;
  const { message, advice } = describeError(error, 'unlock');
  return (
    <Text size="xs" mt={4} className="unlock-failure" data-testid="unlock-failure" role="alert">
      <strong>{error.code}</strong>: {message} <span className="muted">{advice}</span>
    </Text>
  );
}

/**
 * Resources: name, version, size and state (locked / in vault / offline lease, with the
 * days the lease has left), unlock with progress (bytes, rate, ETA, cancel), manifest
 * verification and export. The list refreshes after every unlock (the shell follows them).
 */
export function ResourcesView() {
  const bridge = useBridge();
  const resources = useResources((state) => state.resources);
  const error = useResources((state) => state.error);
  const progress = useResources((state) => state.progress);
  const verified = useResources((state) => state.verified);
  const signedIn = useSession((state) => state.session?.signedIn ?? false);
  const [asking, setAsking] = useState<ResourceSummary | null>(null);
  const [exporting, setExporting] = useState<ResourceSummary | null>(null);

  useEffect(() => {
    void resourcesStore.getState().load(bridge);
  }, [bridge, signedIn]);

  return (
    <section aria-labelledby="resources-title">
      <Group justify="space-between" className="view-title">
        <Title order={1} id="resources-title">
          Resources
        </Title>
        <Button size="xs" variant="default" onClick={() => void resourcesStore.getState().load(bridge)}>
          Refresh
        </Button>
      </Group>
      {/* Signed out, the server's refusal is no news: the empty state below asks to sign in. */}
      <ErrorNote
        error={error && !(error.code === 'unauthenticated' && !signedIn) ? error : null}
        testId="resources-error"
      />
      {resources && resources.length > 0 ? (
        <Table.ScrollContainer minWidth={640}>
          <Table data-testid="resources" striped highlightOnHover verticalSpacing={6}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Name</Table.Th>
                <Table.Th scope="col">Version</Table.Th>
                <Table.Th scope="col">Size</Table.Th>
                <Table.Th scope="col">State</Table.Th>
                <Table.Th scope="col">Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {resources.map((resource) => {
                const job = progress[resource.id];
                const running = job !== undefined && job.phase !== 'done' && job.phase !== 'failed';
                const check = verified[resource.id];
                const lease = leaseLeft(resource.leaseValidUntil);
                const expired = lease?.startsWith('lease expired') === true;
                return (
                  <Table.Tr key={resource.id}>
                    <Table.Th scope="row">{resource.name}</Table.Th>
                    <Table.Td>{resource.version}</Table.Td>
                    <Table.Td>{formatBytes(resource.size)}</Table.Td>
                    <Table.Td>
                      <Badge size="sm" variant="light" color={stateColour[resource.state]}>
                        {stateLabel[resource.state]}
                      </Badge>
                      {lease ? (
                        <Text span size="xs" className={expired ? 'lease lease-expired' : 'lease muted'}>
                          {' · '}
                          {lease}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>
                      {running ? (
                        <Group gap="xs" wrap="nowrap" align="center">
                          <div style={{ flex: 1, minWidth: 160 }}>
                            <ProgressBar
                              label={`Unlocking ${resource.name}: ${job.phase}`}
                              done={job.bytes}
                              total={job.totalBytes || resource.size}
                              bytesPerSecond={job.bytesPerSecond}
                              etaSeconds={job.etaSeconds}
                            />
                          </div>
                        </Group>
                      ) : null}
                      <Group gap={6} wrap="wrap" mt={running ? 4 : 0}>
                        {/* Unlock, and Cancel while it runs, are one element: keyboard focus stays on it throughout. */}
                        <Button
                          size="xs"
                          variant={running ? 'default' : 'filled'}
                          onClick={() => {
                            if (running && job) void resourcesStore.getState().cancel(bridge, job.jobId);
                            else setAsking(resource);
                          }}
                        >
                          {running ? 'Cancel' : 'Unlock'}
                        </Button>
                        <Button
                          size="xs"
                          variant="default"
                          onClick={() => void resourcesStore.getState().verify(bridge, resource.id)}
                        >
                          Verify manifest
                        </Button>
                        {resource.state !== 'locked' ? (
                          <Button
                            size="xs"
                            variant="default"
                            aria-label={`Export ${resource.name}`}
                            onClick={() => {
                              resourcesStore.getState().clearExport(resource.id);
                              setExporting(resource);
                            }}
                          >
                            Export
                          </Button>
                        ) : null}
                        {job?.phase === 'failed' ? (
                          <Badge className="badge" color="red" variant="light">
                            unlock failed
                          </Badge>
                        ) : null}
                        {job?.phase === 'done' ? (
                          <Badge className="badge" color="green" variant="light">
                            unlocked
                          </Badge>
                        ) : null}
                        {check ? (
                          <Badge color={check.valid ? 'green' : 'red'} variant="light">
                            {check.valid ? 'manifest valid' : 'manifest INVALID: do not use'}
                          </Badge>
                        ) : null}
                      </Group>
                      {job?.phase === 'failed' ? <UnlockFailure error={job.error} /> : null}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
      {signedIn && resources?.length === 0 ? (
        <EmptyState testId="resources-empty">
          No resources are published for this account yet. A publisher uploads them (
          <code>npx factory-api resources publish</code>); they appear here to unlock.
        </EmptyState>
      ) : null}
      {!signedIn ? (
        // Signed out, only the vault's items can be listed: an empty list says nothing of the server.
        <EmptyState action={{ label: 'Sign in', view: 'session' }} testId="resources-signed-out">
          Sign in to see the server&apos;s resources (items already in this machine&apos;s vault show here
          offline).
        </EmptyState>
      ) : null}
      {asking ? (
        <UnlockDialog
          name={asking.name}
          onCancel={() => setAsking(null)}
          onUnlock={(password) => {
            const target = asking;
            setAsking(null);
            void resourcesStore.getState().unlock(bridge, target.id, password);
          }}
        />
      ) : null}
      {exporting ? (
        <ExportDialog resourceId={exporting.id} name={exporting.name} onClose={() => setExporting(null)} />
      ) : null}
    </section>
  );
}
