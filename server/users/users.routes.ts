/**
 * `/api/v1/users` (admin): accounts and roles. Only holders of `users:admin`
 * (super_admin) may create, change or delete `admin`/`super_admin` accounts or grant
 * those roles; nobody may disable or demote the last enabled super_admin.
 */
import type { FastifyInstance } from 'fastify';
import { AuditEventType } from '../../shared/common/audit-event.ts';
import { ErrorCode } from '../../shared/common/errors.ts';
import { Permission, Role, isPrivilegedRole } from '../../shared/common/roles.ts';
import {
  createUserRequestSchema,
  updateUserRequestSchema,
  userIdParamsSchema,
} from '../../shared/common/api/users.ts';
import { principalOf } from '../auth/auth.hook.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../types.ts';
import { toPublicUser, toRole } from './users.service.ts';

function requireUsersAdmin(principal: Principal, what: string): void {
  if (!principal.permissions.has(Permission.UsersAdmin)) {
    throw new ApiError(ErrorCode.Forbidden, `only a super_admin may ${what}`);
  }
}

export function usersRoutes(app: FastifyInstance): void {
  const { users, sessions, apiKeys } = app.services;

  app.get('/api/v1/users', { config: { permission: Permission.UsersRead } }, async () => ({
    users: await users.list(),
  }));

  app.get('/api/v1/users/:id', { config: { permission: Permission.UsersRead } }, async (request) => {
    const { id } = userIdParamsSchema.parse(request.params);
    return toPublicUser(await users.get(id));
  });

  app.post('/api/v1/users', { config: { permission: Permission.UsersWrite } }, async (request, reply) => {
    const principal = principalOf(request);
    const input = createUserRequestSchema.parse(request.body);
    if (isPrivilegedRole(input.role)) requireUsersAdmin(principal, `create ${input.role} accounts`);
    // Hashing is slow: done before the write transaction, which the account and its entry share.
    const passwordHash = await users.hash(input.password);
    const row = await app.audit.transact(async (trx, append) => {
      const created = await users.in(trx).create({ email: input.email, passwordHash, role: input.role });
      append({
        type: AuditEventType.UserCreate,
        actor: principal.email,
        resource: `user/${created.id}`,
        ip: request.ip,
        request_id: request.id,
        details: { email: created.email, role: created.role },
      });
      return created;
    });
    return reply.code(201).send(toPublicUser(row));
  });

  app.patch('/api/v1/users/:id', { config: { permission: Permission.UsersWrite } }, async (request) => {
    const principal = principalOf(request);
    const { id } = userIdParamsSchema.parse(request.params);
    const input = updateUserRequestSchema.parse(request.body);
    const passwordHash = input.password === undefined ? undefined : await users.hash(input.password);
    const after = await app.audit.transact(async (trx, append) => {
      const store = users.in(trx);
      const before = await store.get(id);
      const beforeRole = toRole(before.role);
      if (isPrivilegedRole(beforeRole) || (input.role !== undefined && isPrivilegedRole(input.role))) {
        requireUsersAdmin(principal, 'change admin accounts or grant admin roles');
      }
      const demotesOrDisables =
        (input.role !== undefined && input.role !== Role.SuperAdmin) || input.disabled === true;
      if (
        beforeRole === Role.SuperAdmin &&
        demotesOrDisables &&
        (await store.countEnabled(Role.SuperAdmin)) <= 1
      ) {
        throw new ApiError(ErrorCode.Conflict, 'this is the last enabled super_admin');
      }
      const changed = await store.update(id, {
        ...(input.role !== undefined ? { role: input.role } : {}),
        ...(input.disabled !== undefined ? { disabled: input.disabled } : {}),
        ...(passwordHash !== undefined ? { passwordHash } : {}),
      });
      if (input.disabled === true || input.password !== undefined || input.role !== undefined) {
        await sessions.in(trx).revokeAllForUser(id, 'account_changed');
      }
      // Whoever had the old password (or the disabled account) may have made keys with it:
      // an administrator's reset and disabling revoke them (docs/SECURITY.md, API keys).
      const keysRevoked =
        input.disabled === true || input.password !== undefined ? await apiKeys.in(trx).revokeAllOf(id) : 0;
      const type =
        input.role !== undefined && input.role !== beforeRole
          ? AuditEventType.RoleChange
          : AuditEventType.UserUpdate;
      append({
        type,
        actor: principal.email,
        resource: `user/${id}`,
        ip: request.ip,
        request_id: request.id,
        details: {
          email: changed.email,
          ...(input.role !== undefined ? { from_role: beforeRole, to_role: input.role } : {}),
          ...(input.disabled !== undefined ? { disabled: input.disabled } : {}),
          ...(input.password !== undefined ? { password_reset: true } : {}),
          ...(keysRevoked > 0 ? { service_credentials_revoked: keysRevoked } : {}),
        },
      });
      return changed;
    });
    // Dropped again after the commit: a lookup made meanwhile may have cached the old account.
    sessions.forgetUser(id);
    app.accountEvents.emit({ userId: id });
    return toPublicUser(after);
  });

  app.delete(
    '/api/v1/users/:id',
    { config: { permission: Permission.UsersWrite } },
    async (request, reply) => {
      const principal = principalOf(request);
      const { id } = userIdParamsSchema.parse(request.params);
      await app.audit.transact(async (trx, append) => {
        const store = users.in(trx);
        const row = await store.get(id);
        const role = toRole(row.role);
        if (isPrivilegedRole(role)) requireUsersAdmin(principal, 'delete admin accounts');
        if (id === principal.userId)
          throw new ApiError(ErrorCode.Conflict, 'you cannot delete your own account');
        if (role === Role.SuperAdmin && (await store.countEnabled(Role.SuperAdmin)) <= 1) {
          throw new ApiError(ErrorCode.Conflict, 'this is the last enabled super_admin');
        }
        await store.remove(id);
        append({
          type: AuditEventType.UserDelete,
          actor: principal.email,
          resource: `user/${id}`,
          ip: request.ip,
          request_id: request.id,
          details: { email: row.email },
        });
      });
      sessions.forgetUser(id);
      app.accountEvents.emit({ userId: id });
      return reply.code(204).send();
    },
  );
}
