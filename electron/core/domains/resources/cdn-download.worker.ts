/**
 * The download thread started by cdn-download.ts: receives one big part (cdn-receive.ts)
 * over its own pinned pool, built from the transport's origin and pin in `workerData`
 * (the same pin check, inside the handshake), and its own CDN pool (the same origin
 * policy). Its heap holds little but the download, so the full collections that the TLS
 * reads' buffers ask for are cheap here (docs/ARCHITECTURE.md §The crypto core), and a
 * scavenge every {@link COLLECT_EVERY} bytes returns the memory of the reads it dropped
 * (young-garbage.ts: about 20–25 MiB less at the unlock's peak, §The crypto core). Messages:
 * cdn-download.protocol.ts; the last one is `done` or `failed`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { collectYoungGarbage } from '../../../../shared/node/process/young-garbage.ts';
import { PinnedTransport } from '../../factory-api/pinned-transport.ts';
import { cancelled, receiveBigPart } from './cdn-receive.ts';
import {
  crossError,
  uncrossError,
  type DownloadJob,
  type FromDownload,
  type ToDownload,
} from './cdn-download.protocol.ts';

const port = parentPort;
if (port === null) throw new Error('cdn-download.worker.ts must run as a worker thread');
const job = workerData as DownloadJob;
const stop = new AbortController();
const refreshes = new Map<number, { resolve: (url: string) => void; reject: (error: Error) => void }>();
let nextRefresh = 0;
/** Bytes on disk between two collections of this thread's young generation. */
const COLLECT_EVERY = 4 * 1024 * 1024;
let collectedAt = 0;

function send(message: FromDownload): void {
  port!.postMessage(message);
}

port.on('message', (message: ToDownload) => {
  if (message.type === 'abort') {
    stop.abort();
    // A fresh URL asked for and not yet answered is not waited for.
    for (const waiting of refreshes.values()) waiting.reject(cancelled());
    refreshes.clear();
    return;
  }
  const waiting = refreshes.get(message.id);
  refreshes.delete(message.id);
  if (message.type === 'refreshed') waiting?.resolve(message.url);
  else waiting?.reject(uncrossError(message.error));
});

const transport = new PinnedTransport(job.transport.baseUrl, job.transport.options);
try {
  await receiveBigPart({
    transport,
    baseUrl: job.baseUrl,
    url: job.url,
    refreshUrl: () =>
      new Promise((resolve, reject) => {
        const id = nextRefresh++;
        refreshes.set(id, { resolve, reject });
        send({ type: 'refresh', id });
      }),
    file: job.file,
    offset: job.offset,
    expectedSize: job.expectedSize,
    expectedSha256: job.expectedSha256,
    signal: stop.signal,
    onBytes: (bytes) => {
      send({ type: 'bytes', bytes });
      if (bytes - collectedAt < COLLECT_EVERY) return;
      collectedAt = bytes;
      collectYoungGarbage();
    },
    ...(job.maxAttempts === undefined ? {} : { maxAttempts: job.maxAttempts }),
    ...(job.retryDelayMs === undefined ? {} : { retryDelayMs: job.retryDelayMs }),
  });
  send({ type: 'done' });
} catch (error) {
  send({ type: 'failed', error: crossError(error) });
} finally {
  transport.close();
}
