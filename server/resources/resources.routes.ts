/**
 * `/api/v1/resources`: publish (streamed, publisher and up, refused in demo mode),
 * list, signed manifest, unlock (envelope + short-lived CDN URL + lease), a fresh CDN
 * URL for an expired download, and the console's export report. Every state change is
 * audited with ids only, never key material.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuditEventType } from '../../shared/common/audit-event.ts';
import {
  exportRequestSchema,
  manifestSchema,
  resourceIdSchema,
  unlockRequestSchema,
  type SignedManifest,
} from '../../shared/common/api/resources.ts';
import { ErrorCode } from '../../shared/common/errors.ts';
import { Permission } from '../../shared/common/roles.ts';
import { sealEnvelope } from '../../shared/node/crypto/envelope.ts';
import { openSecret } from '../../shared/node/crypto/secret-box.ts';
import { principalOf } from '../auth/auth.hook.ts';
import { ApiError } from '../errors.ts';
import type { CdnDownloadUrl, CdnStore } from '../cdn/cdn-store.ts';
import type { MachinesService } from '../machines/machines.service.ts';
import { dekAad, publishResource } from './resource-publisher.ts';
import type { ResourcesConfig } from './resources.config.ts';
import { resourcesDb, type ResourcesDb, type ResourcesTable } from './resources.tables.ts';

export interface ResourcesRouteDeps {
  db: ResourcesDb;
  cdn: CdnStore;
  /** A fresh download URL for a big part (the store's own, or a signed `/cdn/` path). */
  downloadUrl: (object: string) => Promise<CdnDownloadUrl>;
  machines: MachinesService;
  config: ResourcesConfig;
}

const nameText = /^[\w.\- ]{1,200}$/u;

function summary(row: ResourcesTable) {
  const manifest = manifestSchema.parse(JSON.parse(row.manifest));
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    plaintext_size: manifest.plaintext_size,
    published_at: row.created_at,
  };
}

function signedManifestOf(row: ResourcesTable): SignedManifest {
  const manifest = manifestSchema.parse(JSON.parse(row.manifest));
  return { manifest, canonical_hash: canonicalHash(row.manifest), signature: row.signature };
}

function canonicalHash(canonical: string): string {
  return createHash('sha256').update(canonical).digest('hex');
}

export function resourcesRoutes(app: FastifyInstance, deps: ResourcesRouteDeps): void {
  const { db } = deps;
  const find = async (id: string): Promise<ResourcesTable> => {
    const row = await db
      .selectFrom('resources')
      .selectAll()
      .where('id', '=', resourceIdSchema.parse(id))
      .executeTakeFirst();
    if (!row) throw new ApiError(ErrorCode.NotFound, 'no such resource');
    return row;
  };
  const audit = (
    request: FastifyRequest,
    type: AuditEventType,
    resource: string,
    details: Record<string, unknown>,
  ) =>
    app.audit.append({
      type,
      actor: principalOf(request).email,
      resource,
      ip: request.ip,
      request_id: request.id,
      details,
    });

  // The upload is streamed to the publisher as it arrives: no JSON body limit applies,
  // FACTORY_MAX_RESOURCE_BYTES does (checked on Content-Length and while counting).
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));

  app.post(
    '/api/v1/resources',
    { config: { permission: Permission.ResourcesPublish } },
    async (request, reply) => {
      const principal = principalOf(request);
      const query = request.query as Record<string, unknown>;
      const name = typeof query['name'] === 'string' ? query['name'].trim() : '';
      const version =
        typeof query['version'] === 'string' && query['version'].trim() !== ''
          ? query['version'].trim()
          : '1';
      if (!nameText.test(name) || !nameText.test(version)) {
        throw new ApiError(
          ErrorCode.ValidationFailed,
          'name (and version) must be 1–200 letters, digits, spaces, . _ or -',
        );
      }
      const declared = Number(request.headers['content-length'] ?? NaN);
      if (Number.isFinite(declared) && declared > deps.config.maxResourceBytes) {
        throw new ApiError(
          ErrorCode.PayloadTooLarge,
          `the resource is larger than FACTORY_MAX_RESOURCE_BYTES (${deps.config.maxResourceBytes} bytes)`,
        );
      }
      const body = request.body;
      if (
        body === undefined ||
        body === null ||
        typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] !== 'function'
      ) {
        throw new ApiError(
          ErrorCode.BadRequest,
          'send the file as the body with Content-Type: application/octet-stream',
        );
      }
      const signed = await publishResource(
        {
          db,
          cdn: deps.cdn,
          signing: app.keys.signing,
          masterKey: app.keys.master,
          dataDir: app.config.dataDir,
          maxBytes: deps.config.maxResourceBytes,
          // The resource row and its entry commit together (the CDN object is removed on failure).
          commit: (insert, manifest) =>
            app.audit.transact(async (trx, append) => {
              await insert(resourcesDb(trx));
              append({
                type: AuditEventType.ResourcePublish,
                actor: principal.email,
                resource: `resource/${manifest.resource_id}`,
                ip: request.ip,
                request_id: request.id,
                details: { name, version, plaintext_size: manifest.plaintext_size },
              });
            }),
        },
        { source: body as AsyncIterable<Uint8Array>, name, version, publisherId: principal.userId },
      );
      const { manifest } = signed;
      return reply.code(201).send({
        resource: {
          id: manifest.resource_id,
          name,
          version,
          plaintext_size: manifest.plaintext_size,
          published_at: manifest.published_at,
        },
        manifest: signed,
      });
    },
  );

  app.get('/api/v1/resources', { config: { permission: Permission.ResourcesRead } }, async () => {
    const rows = await db.selectFrom('resources').selectAll().orderBy('name').orderBy('created_at').execute();
    return { resources: rows.map(summary) };
  });

  app.get(
    '/api/v1/resources/:id/manifest',
    { config: { permission: Permission.ResourcesRead } },
    async (request) => signedManifestOf(await find((request.params as { id: string }).id)),
  );

  /** The caller's own, live machine; a revoked or foreign one is refused. */
  const ownMachine = async (request: FastifyRequest, machineId: string) => {
    const machine = await deps.machines.get(machineId).catch(() => undefined);
    if (!machine || machine.user_id !== principalOf(request).userId) {
      throw new ApiError(ErrorCode.Forbidden, 'this machine is not activated for your account');
    }
    if (machine.revoked_at !== null)
      throw new ApiError(ErrorCode.Forbidden, 'this machine was deactivated: activate it again');
    return machine;
  };

  app.post(
    '/api/v1/resources/:id/unlock',
    { config: { permission: Permission.ResourcesUnlock, demoAllowed: true } },
    async (request) => {
      const row = await find((request.params as { id: string }).id);
      const { machine_id: machineId } = unlockRequestSchema.parse(request.body);
      const machine = await ownMachine(request, machineId);
      // Key material: the DEK exists in clear only here, between the two seals.
      const dek = openSecret(app.keys.master, Buffer.from(row.sealed_dek, 'base64'), dekAad(row.id));
      const payload = Buffer.concat([dek, Buffer.from(row.small_part, 'base64')]);
      dek.fill(0);
      const envelope = sealEnvelope({
        recipientPublicKey: Buffer.from(machine.public_key, 'base64'),
        resourceId: row.id,
        machineId: machine.id,
        payload,
      });
      payload.fill(0);
      const url = await deps.downloadUrl(row.cdn_object);
      await audit(request, AuditEventType.ResourceUnlock, `resource/${row.id}`, {
        machine_id: machine.id,
        version: row.version,
      });
      return {
        envelope: envelope.toString('base64'),
        cdn_url: url.url,
        cdn_expires_at: url.expiresAt.toISOString(),
        manifest: signedManifestOf(row),
        lease: deps.machines.lease(machine, [row.id]),
      };
    },
  );

  app.post(
    '/api/v1/resources/:id/cdn-url',
    { config: { permission: Permission.ResourcesUnlock, demoAllowed: true } },
    async (request) => {
      const row = await find((request.params as { id: string }).id);
      await ownMachine(request, unlockRequestSchema.parse(request.body).machine_id);
      const url = await deps.downloadUrl(row.cdn_object);
      return { cdn_url: url.url, cdn_expires_at: url.expiresAt.toISOString() };
    },
  );

  app.post(
    '/api/v1/resources/:id/exports',
    { config: { permission: Permission.ResourcesUnlock, demoAllowed: true } },
    async (request, reply) => {
      const row = await find((request.params as { id: string }).id);
      const input = exportRequestSchema.parse(request.body);
      await ownMachine(request, input.machine_id);
      await audit(request, AuditEventType.ResourceExport, `resource/${row.id}`, {
        machine_id: input.machine_id,
        exported_at: input.exported_at,
        offline: input.offline,
      });
      return reply.code(204).send();
    },
  );
}
