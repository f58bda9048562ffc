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
      <span className="badge badge-neutral" data-testid="chain-badge">
        Chain not verified yet
      </span>
    );
  }
  if (verification.intact) {
    return (
      <span className="badge badge-ok" data-testid="chain-badge">
        ✓ Chain verified up to seq {verification.checked}
        {verifiedAt ? ` (checked ${shortTime(verifiedAt)} UTC)` : ''}
        {verification.checkpointSize
          ? ` · signed checkpoint at seq ${verification.checkpointSize}` +
            (verification.checkpointAt ? `, ${shortTime(verification.checkpointAt)} UTC` : '')
          : ''}
      </span>
    );
  }
  const bad = verification.firstBadSeq;
  return (
    <span className="badge badge-bad" data-testid="chain-badge" role="alert">
      ✗ Chain broken: first bad entry is seq {bad ?? '?'} (
      {verification.reason ? verification.reason.replaceAll('_', ' ') : 'its hash or link does not match'};{' '}
      {verification.checked} entries before it are intact){' '}
      {bad !== null ? (
        <button type="button" className="button" onClick={() => onShowBad(bad)}>
          Show it
        </button>
      ) : null}
    </span>
  );
}
