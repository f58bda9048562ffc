/**
 * The resources area in one registration (buildApp): the CDN store and its signed
 * URLs, machines, and resources, sharing one typed view of the database.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { CdnUrlSigner } from '../cdn/cdn-url.ts';
import { cdnRoutes } from '../cdn/cdn.routes.ts';
import { LocalCdnStore } from '../cdn/local-cdn.store.ts';
import { MachinesService } from '../machines/machines.service.ts';
import { machinesRoutes } from '../machines/machines.routes.ts';
import { loadResourcesConfig } from './resources.config.ts';
import { resourcesRoutes } from './resources.routes.ts';
import { resourcesDb } from './resources.tables.ts';

export function resourcesPlugin(app: FastifyInstance): void {
  const config = loadResourcesConfig(process.env);
  const db = resourcesDb(app.db);
  const cdn = new LocalCdnStore(path.join(app.config.dataDir, 'cdn'));
  const signer = new CdnUrlSigner(app.keys.master);
  const machines = new MachinesService(db, app.keys.signing, {
    maxPerUser: config.maxMachinesPerUser,
    leaseDays: config.leaseDays,
  });
  cdnRoutes(app, cdn, signer);
  machinesRoutes(app, machines);
  resourcesRoutes(app, { db, cdn, signer, machines, config });
}
