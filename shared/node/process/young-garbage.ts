/**
 * A scavenge (V8's collection of the young generation) on demand, for a thread whose
 * garbage is mostly Buffers: the download thread (electron/core/domains/resources/
 * cdn-download.worker.ts) drops a fresh Buffer for every TLS read, and V8 frees the
 * memory behind dead Buffers only when a collection runs. On that thread's small heap
 * the JS objects of a gigabyte of 16 KiB reads fill little, so no scavenge comes on its
 * own before V8's own trigger for external memory: the dead reads piled up to 17.8–20.6 MiB
 * on a worker receiving 64 MiB (six runs) and about 20–25 MiB of the unlock's peak RSS
 * (docs/ARCHITECTURE.md §The crypto core, "Memory"). One scavenge of such a thread's heap
 * took 0.28–0.37 ms (64 per 256 MiB received, three runs): about 0.1 CPU-s per GiB at one
 * every 4 MiB.
 *
 * Node offers `gc` only under `--expose-gc`, a V8 flag a worker cannot be given and the
 * CLI's entry does not pass; V8 reads it when a context is made, so it is raised only
 * for the one context that hands out the function, and lowered again. (The `expose-gc`
 * package does these same two steps; written here to lower the flag afterwards.)
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type GcFunction = (options: { type: 'minor' | 'major'; execution: 'sync' }) => void;
let gc: GcFunction | undefined;

function gcFunction(): GcFunction {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    try {
      gc = runInNewContext('gc') as GcFunction;
    } finally {
      // Left raised when the process was started with it.
      const started = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)];
      if (!started.some((flag) => /^--expose[-_]gc$/.test(flag))) setFlagsFromString('--no-expose-gc');
    }
  }
  return gc;
}

/** Collects this thread's young generation now: the memory of its dead young Buffers goes back. */
export function collectYoungGarbage(): void {
  gcFunction()({ type: 'minor', execution: 'sync' });
}
