/**
 * Worker of the parallel file verifier (audit-file-verifier.ts): verifies one byte
 * range of a JSONL export in segment mode and posts what the stitcher needs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { verifyJsonlRange } from './audit-chain-verifier.ts';
import { segmentReport, type SegmentJob } from './chain-verify.protocol.ts';

const job = workerData as SegmentJob;
const verifier = await verifyJsonlRange(job.file, job.start, job.end, job.watch, true, job.strict);
parentPort?.postMessage(segmentReport(verifier, job.watch));
