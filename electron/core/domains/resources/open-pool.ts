/**
 * The process's one pool of container-opening workers (starting a worker costs
 * 100–300 ms, so the pool is made on first use and kept).
 */
import { ContainerOpenPool } from '../../../../shared/node/crypto/parallel-open.ts';

let pool: ContainerOpenPool | undefined;

export function containerOpenPool(): ContainerOpenPool {
  pool ??= new ContainerOpenPool();
  return pool;
}

/** Stops the workers (tests, shutdown). */
export async function closeContainerOpenPool(): Promise<void> {
  const current = pool;
  pool = undefined;
  await current?.close();
}
