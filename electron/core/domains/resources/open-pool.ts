/**
 * The process's one pool of container-opening workers (starting a worker costs
 * 100–300 ms, so the pool is made on first use and kept).
 */
import { availableParallelism } from 'node:os';
import { ContainerOpenPool } from '../../../../shared/node/crypto/parallel-open.ts';

let pool: ContainerOpenPool | undefined;

export interface OpenPoolOptions {
  /**
   * For one-shot CLI commands (`cat`, `unlock --out`), whose event loop has nothing
   * else to serve while a file opens: one worker fewer than the cores, and the calling
   * thread opens chunks as the last lane (docs/ARCHITECTURE.md §The crypto core). The
   * console app keeps its calling thread free (the default). Applies when the pool is made.
   */
  callerLane?: boolean;
}

export function containerOpenPool(options: OpenPoolOptions = {}): ContainerOpenPool {
  pool ??=
    options.callerLane === true
      ? new ContainerOpenPool(Math.max(1, availableParallelism() - 1), { callerLane: true })
      : new ContainerOpenPool();
  return pool;
}

/** Stops the workers (tests, shutdown). */
export async function closeContainerOpenPool(): Promise<void> {
  const current = pool;
  pool = undefined;
  await current?.close();
}
