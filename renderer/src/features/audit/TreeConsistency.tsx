import { Badge, Text } from '@mantine/core';
import type { StoreApi } from 'zustand/vanilla';
import type { AuditState } from './audit.store.ts';
import { useAudit } from './audit.hooks.ts';

/**
 * This visit's consistency proof, verified on the main side: the log only grew since the
 * checkpoint this console remembers (seq A → B), or, loudly, the first inconsistency.
 */
export function TreeConsistency({ store }: { store: StoreApi<AuditState> }) {
  const consistency = useAudit(store, (s) => s.consistency);
  const error = useAudit(store, (s) => s.consistencyError);
  const checking = useAudit(store, (s) => s.checkingConsistency);
  if (error)
    return (
      <Text size="sm" c="orange" data-testid="audit-consistency" data-state="error">
        Log growth not checked: {error.message}
      </Text>
    );
  if (!consistency)
    return (
      <Badge variant="light" color="gray" tt="none" data-testid="audit-consistency" data-state="checking">
        {checking ? 'Checking that the log only grew…' : 'Log growth not checked yet'}
      </Badge>
    );
  if (consistency.ok) {
    const text =
      consistency.relation === 'first'
        ? `✓ Signed tree of size ${consistency.to} remembered: the next visit proves the log only grew from here`
        : consistency.relation === 'same'
          ? `✓ The log is as you last saw it (seq ${consistency.to})`
          : `✓ The log only grew since you last looked (seq ${consistency.from} → ${consistency.to})`;
    return (
      <Badge
        variant="light"
        color="green"
        tt="none"
        data-testid="audit-consistency"
        data-state={consistency.relation ?? 'ok'}
      >
        {text}
      </Badge>
    );
  }
  return (
    <Text
      role="alert"
      c="red"
      fw={700}
      size="sm"
      className="chain-broken"
      data-testid="audit-consistency"
      data-state="failed"
    >
      ✗ THE LOG IS NOT WHAT YOU LAST SAW
      {consistency.firstBadSeq !== null
        ? ` (first inconsistent entry: seq ${consistency.firstBadSeq})`
        : ''}: {consistency.message}
    </Text>
  );
}
