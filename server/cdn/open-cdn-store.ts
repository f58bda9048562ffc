/**
 * Opens the configured CDN store at start (docs/SERVER.md §The CDN on S3): a bucket that
 * does not exist or refuses the credentials is a configuration error ({@link ConfigError},
 * `serve` exits 2); an endpoint that does not answer is {@link DependencyUnreachableError}
 * (exit 3 — it may work on the next try). Each is one line naming the variable.
 */
import path from 'node:path';
import { ConfigError } from '../config-env.ts';
import { DependencyUnreachableError } from '../db/database-errors.ts';
import type { CdnConfig } from './cdn.config.ts';
import type { CdnStore } from './cdn-store.ts';
import { LocalCdnStore } from './local-cdn.store.ts';
import { S3CdnStore } from './s3-cdn.store.ts';

export async function openCdnStore(config: CdnConfig, dataDir: string): Promise<CdnStore> {
  if (config.s3 === undefined) return new LocalCdnStore(path.join(dataDir, 'cdn'));
  const store = new S3CdnStore(config.s3);
  const health = await store.open();
  if (health.ok) return store;
  store.close();
  const variable = health.variable ?? 'FACTORY_S3_BUCKET';
  if (health.reason === 'unreachable') throw new DependencyUnreachableError(variable, health.detail);
  throw new ConfigError(variable, health.detail);
}
