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
  const { users, sessions } = app.services;

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
    const row = await users.create(input);
    await app.audit.append({
      type: AuditEventType.UserCreate,
      actor: principal.email,
      resource: `user/${row.id}`,
      ip: request.ip,
      request_id: request.id,
      details: { email: row.email, role: row.role },
    });
    return reply.code(201).send(toPublicUser(row));
  });

  app.patch('/api/v1/users/:id', { config: { permission: Permission.UsersWrite } }, async (request) => {
    const principal = principalOf(request);
    const { id } = userIdParamsSchema.parse(request.params);
    const input = updateUserRequestSchema.parse(request.body);
    const before = await users.get(id);
    const beforeRole = toRole(before.role);
    if (isPrivilegedRole(beforeRole) || (input.role !== undefined && isPrivilegedRole(input.role))) {
      requireUsersAdmin(principal, 'change admin accounts or grant admin roles');
    }
    const demotesOrDisables =
      (input.role !== undefined && input.role !== Role.SuperAdmin) || input.disabled === true;
    if (
      beforeRole === Role.SuperAdmin &&
      demotesOrDisables &&
      (await users.countEnabled(Role.SuperAdmin)) <= 1
    ) {
      throw new ApiError(ErrorCode.Conflict, 'this is the last enabled super_admin');
    }
    const after = await users.update(id, input);
    if (input.disabled === true || input.password !== undefined || input.role !== undefined) {
      await sessions.revokeAllForUser(id, 'account_changed');
    }
    const type =
      input.role !== undefined && input.role !== beforeRole
        ? AuditEventType.RoleChange
        : AuditEventType.UserUpdate;
    await app.audit.append({
      type,
      actor: principal.email,
      resource: `user/${id}`,
      ip: request.ip,
      request_id: request.id,
      details: {
        email: after.email,
        ...(input.role !== undefined ? { from_role: beforeRole, to_role: input.role } : {}),
        ...(input.disabled !== undefined ? { disabled: input.disabled } : {}),
        ...(input.password !== undefined ? { password_reset: true } : {}),
      },
    });
    return toPublicUser(after);
  });

  app.delete(
    '/api/v1/users/:id',
    { config: { permission: Permission.UsersWrite } },
    async (request, reply) => {
      const principal = principalOf(request);
      const { id } = userIdParamsSchema.parse(request.params);
      const row = await users.get(id);
      const role = toRole(row.role);
      if (isPrivilegedRole(role)) requireUsersAdmin(principal, 'delete admin accounts');
      if (id === principal.userId)
        throw new ApiError(ErrorCode.Conflict, 'you cannot delete your own account');
      if (role === Role.SuperAdmin && (await users.countEnabled(Role.SuperAdmin)) <= 1) {
        throw new ApiError(ErrorCode.Conflict, 'this is the last enabled super_admin');
      }
      await users.remove(id);
      sessions.forgetUser(id);
      await app.audit.append({
        type: AuditEventType.UserDelete,
        actor: principal.email,
        resource: `user/${id}`,
        ip: request.ip,
        request_id: request.id,
        details: { email: row.email },
      });
      return reply.code(204).send();
    },
  );
}
