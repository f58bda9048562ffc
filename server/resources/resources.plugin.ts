/**
 * The resources area in one registration (buildApp): the CDN store's download URLs
 * (presigned by the bucket, or signed here for `/cdn/`), machines, and resources, sharing one typed view of the database.
 */
import type { FastifyInstance } from 'fastify';
import { CdnUrlSigner } from '../cdn/cdn-url.ts';
import { cdnRoutes } from '../cdn/cdn.routes.ts';
import { MachinesService } from '../machines/machines.service.ts';
import { machinesRoutes } from '../machines/machines.routes.ts';
import { loadResourcesConfig } from './resources.config.ts';
import { resourcesRoutes } from './resources.routes.ts';
import { resourcesDb } from './resources.tables.ts';

export function resourcesPlugin(app: FastifyInstance): void {
  const config = loadResourcesConfig(process.env);
  const db = resourcesDb(app.db);
  const cdn = app.cdn;
  const signer = new CdnUrlSigner(app.keys.master);
  const ttlMs = app.config.cdn.urlTtlMs;
  // An S3 bucket hands out its own presigned URLs; the local store's are served by /cdn/.
  const downloadUrl = async (object: string) =>
    cdn.downloadUrl ? cdn.downloadUrl(object, ttlMs) : signer.sign(object, ttlMs);
  const machines = new MachinesService(db, app.keys.signing, {
    maxPerUser: config.maxMachinesPerUser,
    leaseDays: config.leaseDays,
  });
  cdnRoutes(app, cdn, signer);
  machinesRoutes(app, machines);
  resourcesRoutes(app, { db, cdn, downloadUrl, machines, config });
}
