import { Table } from '@mantine/core';
import type { FirewallBlock } from '../../../../shared/common/contract/bridge.ts';
import { formatCount } from '../../ui/format.ts';
import { Time } from '../../ui/Time.tsx';

const reasonText: Record<string, string> = {
  deny_rule: 'deny rule',
  enforce_default_deny: 'not on the allow-list',
  rate_limited: 'rate limited',
};

/** The server's recent refusals, newest first as the server lists them. */
export function BlocksTable({ blocks }: { blocks: FirewallBlock[] }) {
  return (
    <Table.ScrollContainer minWidth={520}>
      <Table data-testid="firewall-blocks" verticalSpacing={4} fz="sm" aria-label="Recent blocks">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Address</Table.Th>
            <Table.Th scope="col">Why</Table.Th>
            <Table.Th scope="col">Count</Table.Th>
            <Table.Th scope="col">Last</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {blocks.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={4} className="muted">
                No refusals recently.
              </Table.Td>
            </Table.Tr>
          ) : (
            blocks.map((block) => (
              <Table.Tr key={`${block.ip}|${block.reason}|${block.ruleId ?? block.tier ?? ''}`}>
                <Table.Th scope="row">
                  <code>{block.ip}</code>
                </Table.Th>
                <Table.Td>
                  {reasonText[block.reason] ?? block.reason}
                  {block.tier ? ` (${block.tier})` : ''}
                </Table.Td>
                <Table.Td>{formatCount(block.count)}</Table.Td>
                <Table.Td>
                  <Time iso={block.lastAt} />
                </Table.Td>
              </Table.Tr>
            ))
          )}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
