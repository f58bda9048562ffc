/** `/api/v1/api-keys`: create (the secret is shown once), list, revoke; each change commits with its audit entry. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AuditEventType } from '../../shared/common/audit-event.ts';
import { ErrorCode } from '../../shared/common/errors.ts';
import { Permission } from '../../shared/common/roles.ts';
import { createApiKeyRequestSchema } from '../../shared/common/api/api-keys.ts';
import { principalOf } from '../auth/auth.hook.ts';
import { ApiError } from '../errors.ts';

const idParams = z.strictObject({ id: z.string().regex(/^[0-9a-f]{16}$/, 'an API key id') });

export function apiKeysRoutes(app: FastifyInstance): void {
  const { apiKeys } = app.services;

  app.get('/api/v1/api-keys', { config: { permission: Permission.ApiKeysRead } }, async (request) => ({
    api_keys: await apiKeys.list(principalOf(request).permissions.has(Permission.UsersAdmin)),
  }));

  app.post(
    '/api/v1/api-keys',
    { config: { permission: Permission.ApiKeysWrite } },
    async (request, reply) => {
      const principal = principalOf(request);
      if (principal.via === 'api_key')
        throw new ApiError(ErrorCode.Forbidden, 'an API key cannot create API keys');
      const input = createApiKeyRequestSchema.parse(request.body);
      const created = await app.audit.transact(async (trx, append) => {
        const key = await apiKeys.in(trx).create({ id: principal.userId, role: principal.role }, input);
        append({
          type: AuditEventType.ApiKeyCreate,
          actor: principal.email,
          resource: `api-key/${key.id}`,
          ip: request.ip,
          request_id: request.id,
          details: { name: key.name, scopes: key.scopes },
        });
        return key;
      });
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.delete(
    '/api/v1/api-keys/:id',
    { config: { permission: Permission.ApiKeysWrite } },
    async (request, reply) => {
      const principal = principalOf(request);
      const { id } = idParams.parse(request.params);
      await app.audit.transact(async (trx, append) => {
        const revoked = await apiKeys.in(trx).revoke(id, principal.permissions.has(Permission.UsersAdmin));
        append({
          type: AuditEventType.ApiKeyRevoke,
          actor: principal.email,
          resource: `api-key/${id}`,
          ip: request.ip,
          request_id: request.id,
          details: { name: revoked.name },
        });
      });
      app.accountEvents.emit({ apiKeyId: id });
      return reply.code(204).send();
    },
  );
}
