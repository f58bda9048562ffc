import { Badge, Button, Group } from '@mantine/core';
import type { AuditVerification } from '../../../../shared/common/contract/bridge.ts';
import { shortTime } from './audit-format.ts';

/** The chain's state at a glance: verified up to seq N, the first bad entry, or not checked. */
export function ChainBadge({
  verification,
  verifiedAt,
  onShowBad,
}: {
  verification: AuditVerification | null;
  verifiedAt: string | null;
  onShowBad(seq: number): void;
}) {
  if (!verification) {
    return (
      <Badge variant="light" color="gray" data-testid="chain-badge" tt="none">
        Chain not verified yet
      </Badge>
    );
  }
  if (verification.intact) {
    return (
      <Badge variant="light" color="green" data-testid="chain-badge" tt="none" className="chain-badge">
        ✓ Chain verified up to seq {verification.checked}
        {verifiedAt ? ` (checked ${shortTime(verifiedAt)} UTC)` : ''}
        {verification.checkpointSize
          ? ` · signed checkpoint at seq ${verification.checkpointSize}` +
            (verification.checkpointAt ? `, ${shortTime(verification.checkpointAt)} UTC` : '')
          : ''}
      </Badge>
    );
  }
  const bad = verification.firstBadSeq;
  return (
    <Group gap="xs" data-testid="chain-badge" role="alert" className="chain-broken">
      ✗ Chain broken: first bad entry is seq {bad ?? '?'} (
      {verification.reason ? verification.reason.replaceAll('_', ' ') : 'its hash or link does not match'};{' '}
      {verification.checked} entries before it are intact){' '}
      {bad !== null ? (
        <Button size="xs" color="red" variant="light" onClick={() => onShowBad(bad)}>
          Show it
        </Button>
      ) : null}
    </Group>
  );
}
