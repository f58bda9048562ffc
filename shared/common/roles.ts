/**
 * Roles and the permission matrix (docs/SERVER.md, Roles). The one place that says who
 * may do what: the server checks every route against it, the console hides what a
 * role cannot do. Isomorphic (no Node, no DOM).
 *
 * Roles are not a strict ladder: an auditor reads the audit log but does not unlock
 * resources; a publisher uploads resources but does not read the audit log.
 */

/** The seven roles. `none` is a signed-in account with no rights (e.g. pending approval). */
export const Role = {
  None: 'none',
  Viewer: 'viewer',
  Operator: 'operator',
  Auditor: 'auditor',
  Publisher: 'publisher',
  Admin: 'admin',
  SuperAdmin: 'super_admin',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

/** Every role, lowest first (the order the console lists them in). */
export const ROLES = Object.values(Role) as readonly Role[];

/** What a route may require. Add permissions; never rename them (API keys store them as scopes). */
export const Permission = {
  StatusRead: 'status:read',
  ResourcesRead: 'resources:read',
  ResourcesUnlock: 'resources:unlock',
  ResourcesPublish: 'resources:publish',
  MachinesRead: 'machines:read',
  MachinesActivate: 'machines:activate',
  MachinesWrite: 'machines:write',
  AuditRead: 'audit:read',
  AuditExport: 'audit:export',
  AuditAppend: 'audit:append',
  FirewallRead: 'firewall:read',
  FirewallWrite: 'firewall:write',
  UsersRead: 'users:read',
  UsersWrite: 'users:write',
  /** Create, change or delete accounts with the `admin` or `super_admin` role. */
  UsersAdmin: 'users:admin',
  ApiKeysRead: 'api-keys:read',
  ApiKeysWrite: 'api-keys:write',
  SettingsRead: 'settings:read',
  SettingsWrite: 'settings:write',
  MetricsRead: 'metrics:read',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

/** Every permission. */
export const PERMISSIONS = Object.values(Permission) as readonly Permission[];

/**
 * What a route declares in its config. Besides a {@link Permission}:
 * `public` — no authentication (health, login, refresh);
 * `authenticated` — any signed-in account, even role `none` (me, logout, change-password).
 */
export type RoutePermission = Permission | 'public' | 'authenticated';

const P = Permission;
const viewer: readonly Permission[] = [P.StatusRead, P.ResourcesRead];
const allButUsersAdmin = PERMISSIONS.filter((permission) => permission !== P.UsersAdmin);

/** The permission matrix: the explicit list of what each role may do. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  none: [],
  viewer,
  operator: [...viewer, P.ResourcesUnlock, P.MachinesRead, P.MachinesActivate, P.FirewallRead],
  auditor: [
    ...viewer,
    P.AuditRead,
    P.AuditExport,
    P.FirewallRead,
    P.MachinesRead,
    P.MetricsRead,
    P.SettingsRead,
  ],
  publisher: [...viewer, P.ResourcesPublish],
  admin: allButUsersAdmin,
  super_admin: PERMISSIONS,
};

/** Whether `role` holds `permission`. */
export function roleHasPermission(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/** Whether a role may be granted by someone holding `users:write` only (not `users:admin`). */
export function isPrivilegedRole(role: Role): boolean {
  return role === Role.Admin || role === Role.SuperAdmin;
}
