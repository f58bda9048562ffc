/** Verification of the stored chain, with the same streaming verifier as the offline CLI. */
import type { AuditVerifyResult } from '../../shared/common/audit-event.ts';
import { ChainVerifier } from '../../shared/node/audit/audit-chain-verifier.ts';
import { rowToLine, type AuditStore } from './audit.store.ts';

const BATCH = 5000;

/**
 * Verifies every stored entry from seq 1, in batches (constant memory), and recomputes the
 * Merkle root from the entries themselves: `rootAt` gives it at the head and at `watch` sizes.
 */
export async function verifyStoredChain(
  store: AuditStore,
  watch: number[] = [],
): Promise<{ result: AuditVerifyResult; rootAt: (size: number) => string | undefined }> {
  const verifier = new ChainVerifier(watch);
  const done = () => ({ result: verifier.result(), rootAt: (size: number) => verifier.rootAt(size) });
  let after = 0;
  for (;;) {
    const rows = await store.rowsAfter(after, BATCH);
    for (const row of rows) if (!verifier.push(rowToLine(row))) return done();
    const last = rows.at(-1);
    if (!last || rows.length < BATCH) return done();
    after = last.seq;
  }
}
