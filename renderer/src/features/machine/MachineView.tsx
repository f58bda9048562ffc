// Mantine's stylesheets this view needs beyond the shell's list (main.tsx), in styles.css order.
import '@mantine/core/styles/Overlay.css';
import '@mantine/core/styles/ActionIcon.css';
import '@mantine/core/styles/ModalBase.css';
import '@mantine/core/styles/Modal.css';
import { Badge, Button, Group, Paper, Table, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useBridge } from '../../app/bridge-context.ts';
import { Note } from '../../ui/Banner.tsx';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { Hash } from '../../ui/Hash.tsx';
import { leaseLeft } from '../../ui/lease-text.ts';
import { Time } from '../../ui/Time.tsx';
import { machineStore, useMachine } from './machine.hooks.ts';

/**
 * Machine: fingerprint components (values masked), binding strength, lease, activation,
 * the pinned server identity (public fingerprint and key id), and deactivation after a
 * confirmation.
 */
export function MachineView() {
  const bridge = useBridge();
  const info = useMachine((state) => state.info);
  const error = useMachine((state) => state.error);
  const loading = useMachine((state) => state.loading);
  const deactivating = useMachine((state) => state.deactivating);
  const lastChange = useMachine((state) => state.lastChange);
  const [confirming, setConfirming] = useState(false);

  useEffect(() => {
    void machineStore.getState().load(bridge);
  }, [bridge]);

  return (
    <section aria-labelledby="machine-title">
      <Group justify="space-between" className="view-title">
        <Title order={1} id="machine-title">
          Machine
        </Title>
        <Group gap="xs">
          <Button size="xs" variant="default" onClick={() => void machineStore.getState().load(bridge)}>
            Refresh
          </Button>
          <Button
            size="xs"
            color="red"
            variant="outline"
            disabled={!info?.activated || deactivating}
            onClick={() => setConfirming(true)}
          >
            Deactivate
          </Button>
        </Group>
      </Group>
      <ErrorNote error={error} testId="machine-error" />
      {lastChange ? <Note tone="success">{lastChange}</Note> : null}
      {loading && !info ? (
        <Text size="sm" c="dimmed">
          Reading the fingerprint…
        </Text>
      ) : null}
      {info ? (
        <div className="two-columns">
          <Paper withBorder p="sm" radius="sm" component="section" aria-labelledby="machine-binding">
            <Title order={2} id="machine-binding" mb="xs">
              Activation and binding
            </Title>
            <dl className="facts">
              <dt>Activation</dt>
              <dd data-testid="machine-activated">
                {info.activated ? `activated (${info.machineId ?? 'no id'})` : 'not activated'}
              </dd>
              <dt>Binding strength</dt>
              <dd>
                <Badge
                  size="sm"
                  variant="light"
                  color={info.bindingStrength >= 3 ? 'green' : info.bindingStrength >= 2 ? 'yellow' : 'red'}
                >
                  {info.bindingStrength} independent hardware components
                </Badge>
              </dd>
              <dt>Offline lease valid until</dt>
              <dd data-testid="machine-lease">
                {info.leaseValidUntil ? (
                  <>
                    <Time iso={info.leaseValidUntil} mode="local" /> ({leaseLeft(info.leaseValidUntil)})
                  </>
                ) : (
                  'no lease'
                )}
              </dd>
              <dt>Activated with</dt>
              <dd data-testid="machine-server">
                <code className="hash">{info.serverUrl ?? '—'}</code>
              </dd>
              <dt>Pinned certificate (SHA-256)</dt>
              <dd data-testid="machine-pinned-certificate">
                {info.serverCertificateFingerprint ? (
                  <Hash value={info.serverCertificateFingerprint} label="certificate fingerprint" />
                ) : (
                  <code>{info.activated ? 'none (plain HTTP, development only)' : '—'}</code>
                )}
              </dd>
              <dt>Pinned signing key id</dt>
              <dd data-testid="machine-pinned-key">
                {info.serverKeyId ? <Hash value={info.serverKeyId} label="signing key id" /> : <code>—</code>}
              </dd>
            </dl>
          </Paper>
          <Paper withBorder p="sm" radius="sm" component="section" aria-labelledby="machine-components">
            <Title order={2} id="machine-components" mb="xs">
              Fingerprint components
            </Title>
            <Table aria-labelledby="machine-components" verticalSpacing={4} fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Component</Table.Th>
                  <Table.Th scope="col">Found</Table.Th>
                  <Table.Th scope="col">Value</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {info.components.map((component) => (
                  <Table.Tr key={component.name}>
                    <Table.Th scope="row">{component.name}</Table.Th>
                    <Table.Td>{component.present ? 'yes' : 'no'}</Table.Td>
                    {/* Serials arrive masked (last four characters); the values stay on the main side. */}
                    <Table.Td>
                      <code className="hash">{component.display ?? '—'}</code>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Paper>
        </div>
      ) : null}
      <Text size="xs" c="dimmed" mt="sm">
        The CLI (<code>npx factory-console fingerprint</code>) shows this machine&apos;s full fingerprint
        report; <code>npx factory-console deactivate --local-only</code> deactivates without the server.
      </Text>
      {confirming && info ? (
        <ConfirmDialog
          title="Deactivate this machine?"
          confirmLabel="Deactivate machine"
          danger
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            void machineStore.getState().deactivate(bridge);
          }}
        >
          The server revokes machine {info.machineId} (its seat is freed); then this machine&apos;s key, vault
          and activation are deleted. Unlocked resources stop opening offline; you must activate again to use
          them.
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
