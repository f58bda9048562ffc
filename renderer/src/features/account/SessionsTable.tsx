import { Badge, Button, Table, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { SessionSummary } from '../../../../shared/common/contract/bridge.ts';
import { useBridge } from '../../app/bridge-context.ts';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { Time } from '../../ui/Time.tsx';
import { accountStore, useAccount } from './account.hooks.ts';

/**
 * The signed-in account's live sessions (docs/IDENTITY.md §The console): how each signed in,
 * when it last signed in or refreshed, when it expires. The console's own session is marked
 * "this session" and has no Revoke (signing out ends it); any other can be ended after a
 * confirmation, and the list is then read again.
 */
export function SessionsTable() {
  const bridge = useBridge();
  const sessions = useAccount((state) => state.sessions);
  const busy = useAccount((state) => state.busy);
  const [revoking, setRevoking] = useState<SessionSummary | null>(null);

  useEffect(() => {
    void accountStore.getState().loadSessions(bridge);
  }, [bridge]);

  if (sessions === null) return <Text size="sm">Loading sessions…</Text>;
  if (sessions.length === 0) return <Text size="sm">This account has no live sessions.</Text>;
  return (
    <>
      <Table aria-label="Sessions" data-testid="sessions">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Signed in</Table.Th>
            <Table.Th>Via</Table.Th>
            <Table.Th>Last used</Table.Th>
            <Table.Th>Expires</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sessions.map((session) => (
            <Table.Tr key={session.id} data-testid={`session-${session.id}`}>
              <Table.Td>
                <Time iso={session.createdAt} mode="both" />
              </Table.Td>
              <Table.Td>{session.via}</Table.Td>
              <Table.Td>
                <Time iso={session.lastUsedAt} />
              </Table.Td>
              <Table.Td>
                <Time iso={session.expiresAt} mode="both" />
              </Table.Td>
              <Table.Td>
                {session.current ? (
                  <Badge variant="light">this session</Badge>
                ) : (
                  <Button
                    size="xs"
                    variant="default"
                    color="red"
                    disabled={busy}
                    onClick={() => setRevoking(session)}
                  >
                    Revoke
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {revoking ? (
        <ConfirmDialog
          title="Revoke this session?"
          confirmLabel="Revoke"
          danger
          onCancel={() => setRevoking(null)}
          onConfirm={() => {
            const { id } = revoking;
            setRevoking(null);
            void accountStore.getState().revokeSession(bridge, id);
          }}
        >
          <Text size="sm">
            The session signed in via {revoking.via} stops working at once; whoever uses it has to sign in
            again.
          </Text>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
