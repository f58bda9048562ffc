import { Badge, Table, Text } from '@mantine/core';
import type { ApiKeySummary } from '../../../../shared/common/contract/bridge.ts';
import { Time } from '../../ui/Time.tsx';

/** The signed-in account's API keys: prefix, scopes, expiry (when the server sets one), last use. */
export function ApiKeysTable({ keys }: { keys: ApiKeySummary[] | null }) {
  if (keys === null) return <Text size="sm">This role does not manage API keys.</Text>;
  if (keys.length === 0) return <Text size="sm">This account has no API keys.</Text>;
  const now = Date.now();
  return (
    <Table aria-label="API keys" data-testid="api-keys">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          <Table.Th>Prefix</Table.Th>
          <Table.Th>Scopes</Table.Th>
          <Table.Th>Expires</Table.Th>
          <Table.Th>Last used</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {keys.map((key) => (
          <Table.Tr key={key.id}>
            <Table.Td>{key.name}</Table.Td>
            <Table.Td>
              <code>{key.prefix}</code>
            </Table.Td>
            <Table.Td>{key.scopes.join(', ')}</Table.Td>
            <Table.Td>
              {key.expiresAt === null ? (
                'never'
              ) : Date.parse(key.expiresAt) <= now ? (
                <Badge color="red" variant="light">
                  expired
                </Badge>
              ) : (
                <Time iso={key.expiresAt} mode="both" />
              )}
            </Table.Td>
            <Table.Td>{key.lastUsedAt ? <Time iso={key.lastUsedAt} /> : 'never'}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
