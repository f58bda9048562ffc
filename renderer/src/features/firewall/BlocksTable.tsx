import type { FirewallBlock } from '../../../../shared/common/contract/bridge.ts';

const reasonText: Record<string, string> = {
  deny_rule: 'deny rule',
  enforce_default_deny: 'not on the allow-list',
  rate_limited: 'rate limited',
};

/** The server's recent refusals, newest first as the server lists them. */
export function BlocksTable({ blocks }: { blocks: FirewallBlock[] }) {
  return (
    <table className="data-table" data-testid="firewall-blocks">
      <caption>Recent blocks</caption>
      <thead>
        <tr>
          <th scope="col">Address</th>
          <th scope="col">Why</th>
          <th scope="col">Count</th>
          <th scope="col">Last (UTC)</th>
        </tr>
      </thead>
      <tbody>
        {blocks.length === 0 ? (
          <tr>
            <td colSpan={4} className="muted">
              No refusals recently.
            </td>
          </tr>
        ) : (
          blocks.map((block) => (
            <tr key={`${block.ip}|${block.reason}|${block.ruleId ?? block.tier ?? ''}`}>
              <th scope="row">{block.ip}</th>
              <td>
                {reasonText[block.reason] ?? block.reason}
                {block.tier ? ` (${block.tier})` : ''}
              </td>
              <td>{block.count}</td>
              <td>{block.lastAt.replace('T', ' ').replace(/(\.\d+)?Z$/, '')}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
