/**
 * Worker of the parallel file verifier (audit-file-verifier.ts): verifies one byte
 * range of a JSONL export in segment mode and posts what the stitcher needs.
 */
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { verifyJsonlStream } from './audit-chain-verifier.ts';
import {
  serializeRange,
  type SegmentJob,
  type SegmentReport,
  type SerializedRange,
} from './chain-verify.protocol.ts';

const job = workerData as SegmentJob;
const verifier = await verifyJsonlStream(
  createReadStream(job.file, { start: job.start, end: job.end - 1, highWaterMark: 1 << 20 }),
  job.watch,
  true,
  job.strict,
);
const result = verifier.result();
const report: SegmentReport = {
  first: verifier.first ?? null,
  accepted: verifier.accepted,
  headSeq: result.head_seq,
  headHash: result.head_hash,
  failure: result.ok ? null : { reason: result.reason ?? 'malformed', message: result.message ?? '' },
  watched: job.watch.flatMap((seq) => {
    const hash = verifier.hashAt(seq);
    return hash === undefined ? [] : [[seq, hash] as [number, string]];
  }),
  trailer: verifier.trailerCheckpoint ?? null,
  tree: serializeRange(verifier.tree),
  watchedTrees: job.watch.flatMap((seq) => {
    const tree = verifier.treeAt(seq);
    return tree === undefined ? [] : [[seq, serializeRange(tree)] as [number, SerializedRange]];
  }),
};
parentPort?.postMessage(report);
