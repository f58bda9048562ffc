/**
 * Start-up recovery of the audit log. With SQLite in WAL mode and `synchronous=FULL`,
 * a commit is durable when it returns and a torn write — a commit interrupted by a
 * crash, or its WAL frames cut short — is rolled back by SQLite when the file is next
 * opened: that is our "torn last record", and it can only ever be an entry that was
 * never acknowledged. What we add on top:
 *
 * - a shutdown marker per instance: if this instance's previous process did not close
 *   cleanly, the recovery is recorded as an `audit_recovered` entry (naming the instance),
 *   so operators see every crash in the chain;
 * - the tail (last {@link TAIL_CHECK} entries) is re-verified; a bad run at the very end
 *   (within {@link TORN_WINDOW} entries, i.e. a damaged last write, not history) is moved
 *   to `audit_quarantine` — kept, never deleted — and the chain continues from the last
 *   good entry. Damage deeper in the log is tampering: it is reported, not repaired;
 * - the stored Merkle tree must cover exactly the entries (it is written in the same
 *   transaction, so it always should); if not, it is rebuilt from the entries (derived data);
 * - the newest signed checkpoint is compared with the log: a log shorter than, or
 *   inconsistent with, what was signed (its chain head, and for a tree checkpoint its Merkle
 *   root) is reported as `chain_verification_failed`.
 */
import { AuditEventType, AuditVerifyReason, type AuditEventInput } from '../../shared/common/audit-event.ts';
import { ChainVerifier } from '../../shared/node/audit/audit-chain-verifier.ts';
import { rowToLine, type AuditStore } from './audit.store.ts';

export const TAIL_CHECK = 1000;
export const TORN_WINDOW = 16;

/** What the recovery found, and the events it wants appended. */
export interface RecoveryReport {
  uncleanShutdown: boolean;
  tailChecked: number;
  quarantinedFrom: number | null;
  quarantined: number;
  treeRebuilt: boolean;
  checkpointProblem: string | null;
  events: AuditEventInput[];
}

/** Runs the recovery; see the module comment. */
export async function recoverAtStart(
  store: AuditStore,
  state: { instanceId?: string; get(): Promise<string | undefined> },
): Promise<RecoveryReport> {
  const uncleanShutdown = (await state.get()) === 'running';
  const tail = await store.tail(TAIL_CHECK);
  const headBefore = tail.at(-1)?.seq ?? 0;
  const verifier = new ChainVerifier([], true);
  for (const row of tail) if (!verifier.push(rowToLine(row))) break;
  const tailResult = verifier.result();
  const events: AuditEventInput[] = [];
  let quarantinedFrom: number | null = null;
  let quarantined = 0;
  if (!tailResult.ok && tailResult.first_bad_seq !== undefined) {
    const badSeq = tailResult.first_bad_seq;
    if (badSeq > headBefore - TORN_WINDOW) {
      quarantined = await store.quarantineFrom(badSeq, tailResult.reason ?? 'unverifiable');
      quarantinedFrom = badSeq;
    } else {
      events.push({
        type: AuditEventType.ChainVerificationFailed,
        actor: null,
        details: { reason: tailResult.reason ?? 'unknown', first_bad_seq: badSeq, at: 'startup' },
      });
    }
  }
  const head = (await store.head())?.seq ?? 0;
  const treeRebuilt = await store.repairTree(head);
  const latest = await store.latestCheckpoint();
  const latestTree = await store.latestTreeCheckpoint();
  let checkpointProblem: string | null = null;
  if (latest && latest.size > head) checkpointProblem = AuditVerifyReason.CheckpointAhead;
  else if (latest && latest.size > 0 && (await store.at(latest.size))?.hash !== latest.head_hash) {
    checkpointProblem = AuditVerifyReason.CheckpointMismatch;
  } else if (latestTree && (await store.treeRoot(latestTree.size)) !== latestTree.root_hash) {
    checkpointProblem = AuditVerifyReason.CheckpointMismatch;
  }
  if (checkpointProblem && latest) {
    events.push({
      type: AuditEventType.ChainVerificationFailed,
      actor: null,
      details: { reason: checkpointProblem, checkpoint_size: latest.size, head_seq: head, at: 'startup' },
    });
  }
  if (uncleanShutdown || quarantined > 0 || treeRebuilt) {
    events.push({
      type: AuditEventType.AuditRecovered,
      actor: null,
      details: {
        unclean_shutdown: uncleanShutdown,
        ...(state.instanceId !== undefined ? { instance_id: state.instanceId } : {}),
        head_seq: head,
        tail_checked: tail.length,
        quarantined_rows: quarantined,
        quarantined_from: quarantinedFrom,
        tree_rebuilt: treeRebuilt,
      },
    });
  }
  return {
    uncleanShutdown,
    tailChecked: tail.length,
    quarantinedFrom,
    quarantined,
    treeRebuilt,
    checkpointProblem,
    events,
  };
}
