/**
 * Verifies a JSONL export file, in parallel when it is big: the file is cut at line
 * boundaries into one byte range per core, each range is verified in segment mode (the
 * first by the calling thread, the others by workers), and the segments are stitched (each must start at the seq and
 * prev_hash where the previous one ended). The result is the same as the sequential
 * verifier's, including the first bad seq. Entry hashes are independent of each
 * other (each line carries its prev_hash), which is what makes this sound.
 */
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { AUDIT_GENESIS_HASH, AuditVerifyReason, type AuditVerifyResult } from '../../common/audit-event.ts';
import { verifyJsonlRange } from './audit-chain-verifier.ts';
import {
  deserializeRange,
  segmentReport,
  type SegmentJob,
  type SegmentReport,
} from './chain-verify.protocol.ts';
import { CompactRange } from './merkle-tree.ts';

/** The outcome of verifying a file. */
export interface FileVerification {
  result: AuditVerifyResult;
  /** The hash of a watched entry, if the chain reached it. */
  hashAt(seq: number): string | undefined;
  /** The Merkle root (hex) of the first `seq` entries, for a watched seq or the head. */
  rootAt(seq: number): string | undefined;
  /** The checkpoint note of the export's trailer line, if present. */
  trailerCheckpoint: string | undefined;
}

/** Below this size one thread is faster than starting workers. */
const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;
const BOUNDARY_PROBE_BYTES = 256 * 1024;
/**
 * The caller's thread verifies the first segment itself, and a worker spends its first ~0.35 s
 * loading the verifier's modules (measured at 1 000 000 entries, where a segment takes ~2 s), so
 * the first segment is this much bigger than the others and they all end about together.
 */
const OWN_SEGMENT_WEIGHT = 1.2;

async function boundaries(file: string, size: number, parts: number): Promise<number[]> {
  const cuts = [0];
  const handle = await open(file, 'r');
  try {
    const probe = Buffer.alloc(BOUNDARY_PROBE_BYTES);
    const total = OWN_SEGMENT_WEIGHT + (parts - 1);
    for (let part = 1; part < parts; part += 1) {
      const at = Math.floor((size * (OWN_SEGMENT_WEIGHT + part - 1)) / total);
      const { bytesRead } = await handle.read(probe, 0, probe.length, at);
      const newline = probe.subarray(0, bytesRead).indexOf(0x0a);
      const cut = newline < 0 ? -1 : at + newline + 1;
      if (cut > (cuts.at(-1) ?? 0) && cut < size) cuts.push(cut);
    }
  } finally {
    await handle.close();
  }
  cuts.push(size);
  return cuts;
}

function runSegment(job: SegmentJob): Promise<SegmentReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./chain-verify.worker.ts', import.meta.url), { workerData: job });
    worker.once('message', (report: SegmentReport) => resolve(report));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`chain verification worker exited with ${code}`));
    });
  });
}

function stitch(reports: SegmentReport[]): FileVerification {
  let headSeq = 0;
  let headHash = AUDIT_GENESIS_HASH;
  let trailer: string | undefined;
  const watched = new Map<number, string>();
  const roots = new Map<number, string>();
  const tree = new CompactRange();
  const done = (failure?: { reason: AuditVerifyReason; message: string }): FileVerification => ({
    result: failure
      ? {
          ok: false,
          checked: headSeq,
          head_seq: headSeq,
          head_hash: headHash,
          first_bad_seq: headSeq + 1,
          ...failure,
        }
      : { ok: true, checked: headSeq, head_seq: headSeq, head_hash: headHash },
    hashAt: (seq) => (seq === 0 ? AUDIT_GENESIS_HASH : watched.get(seq)),
    rootAt: (seq) => (seq === headSeq ? tree.root().toString('hex') : roots.get(seq)),
    trailerCheckpoint: trailer,
  });
  for (const report of reports) {
    const empty = report.first === null && report.failure === null && report.trailer === null;
    if (empty) continue;
    if (trailer !== undefined) {
      return done({ reason: AuditVerifyReason.Malformed, message: 'a line follows the checkpoint trailer' });
    }
    if (report.first) {
      if (report.first.seq !== headSeq + 1) {
        return done({
          reason: AuditVerifyReason.SeqGap,
          message: `expected seq ${headSeq + 1}, found ${report.first.seq}`,
        });
      }
      if (report.first.prevHash !== headHash) {
        return done({
          reason: AuditVerifyReason.PrevHashMismatch,
          message: 'prev_hash does not match the previous entry',
        });
      }
      headSeq = report.headSeq;
      headHash = report.headHash;
      for (const [seq, range] of report.watchedTrees) {
        const snapshot = tree.clone();
        snapshot.merge(deserializeRange(range));
        roots.set(seq, snapshot.root().toString('hex'));
      }
      tree.merge(deserializeRange(report.tree));
    }
    for (const [seq, hash] of report.watched) watched.set(seq, hash);
    if (report.failure) return done(report.failure as { reason: AuditVerifyReason; message: string });
    trailer = report.trailer ?? undefined;
  }
  return done();
}

/**
 * Verifies a JSONL export file. `watch` lists the seqs whose hashes the caller needs
 * afterwards (checkpoint sizes). I/O errors (missing file) reject.
 */
export async function verifyJsonlFile(
  file: string,
  watch: number[] = [],
  options: { parallelism?: number; minSegmentBytes?: number; strict?: boolean } = {},
): Promise<FileVerification> {
  const { size } = await stat(file);
  const parallelism = options.parallelism ?? Math.min(availableParallelism(), 4);
  const minSegment = options.minSegmentBytes ?? PARALLEL_MIN_BYTES;
  const parts = Math.max(1, Math.min(parallelism, Math.floor(size / minSegment)));
  if (parts <= 1) {
    const verifier = await verifyJsonlRange(file, 0, size, watch, false, options.strict ?? false);
    return {
      result: verifier.result(),
      hashAt: (seq) => verifier.hashAt(seq),
      rootAt: (seq) => verifier.rootAt(seq),
      trailerCheckpoint: verifier.trailerCheckpoint,
    };
  }
  const cuts = await boundaries(file, size, parts);
  const strict = options.strict ?? false;
  const jobs: SegmentJob[] = cuts
    .slice(0, -1)
    .map((start, index) => ({ file, start, end: cuts[index + 1] ?? size, watch, strict }));
  // Workers first, so they load while this thread verifies the first segment.
  const [own, ...others] = jobs;
  const workers = Promise.all(others.map(runSegment));
  // Awaited below; this only keeps a worker failure from going unhandled if this thread fails first.
  workers.catch(() => undefined);
  const first = segmentReport(await verifyJsonlRange(file, own!.start, own!.end, watch, true, strict), watch);
  return stitch([first, ...(await workers)]);
}
