/**
 * `/api/v1/api-keys`: create (the secret is shown once), list, rotate, revoke; each change
 * commits with its audit entry. Every key expires (default 90 days, at most
 * `FACTORY_API_KEY_MAX_DAYS`); creating and rotating need a recent sign-in (auth/mfa/step-up.ts).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AuditEventType } from '../../shared/common/audit-event.ts';
import { ErrorCode } from '../../shared/common/errors.ts';
import { Permission } from '../../shared/common/roles.ts';
import { createApiKeyRequestSchema, rotateApiKeyRequestSchema } from '../../shared/common/api/api-keys.ts';
import { API_KEY_DEFAULT_DAYS } from './api-keys.config.ts';
import { principalOf } from '../auth/auth.hook.ts';
import { ApiError } from '../errors.ts';

const idParams = z.strictObject({ id: z.string().regex(/^[0-9a-f]{16}$/, 'an API key id') });

export function apiKeysRoutes(app: FastifyInstance): void {
  const { apiKeys } = app.services;
  const { maxDays } = app.config.apiKeys;

  /** The lifetime asked for, or the default; refused past the server's maximum. */
  function lifetime(requested: number | undefined): number {
    const days = requested ?? Math.min(API_KEY_DEFAULT_DAYS, maxDays);
    if (days > maxDays) {
      throw new ApiError(
        ErrorCode.ValidationFailed,
        `expires_in_days: at most ${maxDays} days on this server (FACTORY_API_KEY_MAX_DAYS)`,
      );
    }
    return days;
  }

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
      const days = lifetime(input.expires_in_days);
      const created = await app.audit.transact(async (trx, append) => {
        const key = await apiKeys.in(trx).create({ id: principal.userId, role: principal.role }, input, days);
        append({
          type: AuditEventType.ApiKeyCreate,
          actor: principal.email,
          resource: `api-key/${key.id}`,
          ip: request.ip,
          request_id: request.id,
          details: { name: key.name, scopes: key.scopes, expires_at: key.expires_at },
        });
        return key;
      });
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.post(
    '/api/v1/api-keys/:id/rotate',
    { config: { permission: Permission.ApiKeysWrite } },
    async (request, reply) => {
      const principal = principalOf(request);
      if (principal.via === 'api_key')
        throw new ApiError(ErrorCode.Forbidden, 'an API key cannot rotate API keys');
      const { id } = idParams.parse(request.params);
      const input = rotateApiKeyRequestSchema.parse(request.body ?? {});
      const days = lifetime(input.expires_in_days);
      const rotated = await app.audit.transact(async (trx, append) => {
        const key = await apiKeys.in(trx).rotate(id, principal.userId, days);
        append({
          type: AuditEventType.ApiKeyRotate,
          actor: principal.email,
          resource: `api-key/${id}`,
          ip: request.ip,
          request_id: request.id,
          details: { name: key.name, expires_at: key.expires_at },
        });
        return key;
      });
      // Requests already authenticated with the old secret end (long-lived streams).
      app.accountEvents.emit({ apiKeyId: id });
      return reply.code(200).header('cache-control', 'no-store').send(rotated);
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
