/** Verification of the stored chain, with the same streaming verifier as the offline CLI. */
import type { AuditVerifyResult } from '../../shared/common/audit-event.ts';
import { ChainVerifier } from '../../shared/node/audit/audit-chain-verifier.ts';
import { rowToLine, type AuditStore } from './audit.store.ts';

const BATCH = 5000;

/** Verifies every stored entry from seq 1, in batches (constant memory). */
export async function verifyStoredChain(store: AuditStore): Promise<AuditVerifyResult> {
  const verifier = new ChainVerifier();
  let after = 0;
  for (;;) {
    const rows = await store.rowsAfter(after, BATCH);
    for (const row of rows) if (!verifier.push(rowToLine(row))) return verifier.result();
    const last = rows.at(-1);
    if (!last || rows.length < BATCH) return verifier.result();
    after = last.seq;
  }
}
