/**
 * Every route × every role (plus anonymous), generated from the route table the app
 * collected at registration: the declared permission must be exactly what the gate
 * enforces. A route without a declared permission cannot even be registered.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, ROLE_PERMISSIONS, type Permission, type Role } from '../../shared/common/roles.ts';
import {
  ADMIN_EMAIL,
  DEV_PASSWORD,
  bearer,
  login,
  relaxRateLimits,
  startTestApp,
  userWithRole,
  type Session,
  type TestApp,
} from './helpers.ts';

let harness: TestApp;
const sessions = new Map<Role, Session & { password: string }>();

beforeAll(async () => {
  harness = await startTestApp();
  const admin = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
  await relaxRateLimits(harness.app, admin);
  for (const role of ROLES) {
    const session =
      role === 'super_admin'
        ? { ...admin, password: DEV_PASSWORD }
        : await userWithRole(harness.app, admin, role);
    sessions.set(role, session);
  }
});

afterAll(async () => {
  await harness.close();
});

function concreteUrl(url: string): string {
  return url.replace(/:[A-Za-z_]+/g, '0000000000000000').replace('*', 'anything');
}

/** The body of a streamed inject response; an endless event stream is cut after its headers. */
async function bodyOf(response: LightMyRequestResponse): Promise<string> {
  const stream = response.stream();
  if (String(response.headers['content-type']).startsWith('text/event-stream')) {
    stream.destroy();
    return '';
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

function isPermissionRefusal(status: number, body: string): boolean {
  if (status === 401) return true;
  if (status !== 403) return false;
  return body.includes('missing permission');
}

describe('route × role matrix', () => {
  it('collects a route table that covers the API', () => {
    const urls = new Set(harness.app.routeTable.map((route) => route.url));
    for (const url of [
      '/api/v1/status',
      '/api/v1/users',
      '/api/v1/auth/login',
      '/api/v1/auth/sessions',
      '/api/v1/auth/sessions/:id',
      '/metrics',
      '/health',
      '/api/v1/api-keys',
      '/api/v1/audit/checkpoint',
      '/api/v1/audit/proof/inclusion',
      '/api/v1/audit/proof/consistency',
      '/api/v1/audit/tlog/checkpoint',
      '/api/v1/audit/tlog/tile/*',
    ]) {
      expect(urls).toContain(url);
    }
    expect(harness.app.routeTable.every((route) => typeof route.permission === 'string')).toBe(true);
  });

  it('every route and method gives each role exactly what the matrix says', async () => {
    const routes = harness.app.routeTable.filter((route) => route.method !== 'HEAD' && route.url !== '*');
    expect(routes.length).toBeGreaterThan(10);
    const failures: string[] = [];
    for (const route of routes) {
      for (const role of [undefined, ...ROLES] as const) {
        let headers: Record<string, string> = {};
        if (role !== undefined) {
          // Logging out ends the session: give that request a session of its own.
          const own = sessions.get(role)!;
          const session =
            route.url === '/api/v1/auth/logout'
              ? await login(harness.app, own.user.email, own.password)
              : own;
          headers = bearer(session.access_token);
        }
        // Streamed, so a live stream (SSE) answers with its status without ending.
        const response = await harness.app.inject({
          method: route.method as 'GET',
          url: concreteUrl(route.url),
          headers,
          payloadAsStream: true,
          ...(route.method === 'GET' || route.method === 'DELETE' || route.method === 'HEAD'
            ? {}
            : { payload: {} }),
        });
        const body = await bodyOf(response);
        const refused = isPermissionRefusal(response.statusCode, body);
        const expectedAllowed =
          route.permission === 'public' ||
          (role !== undefined &&
            (route.permission === 'authenticated' ||
              ROLE_PERMISSIONS[role].includes(route.permission as Permission)));
        if (refused === expectedAllowed) {
          failures.push(
            `${route.method} ${route.url} as ${role ?? 'anonymous'}: ${response.statusCode} ${body.slice(0, 120)}`,
          );
        }
        if (role === undefined && !expectedAllowed) expect(response.statusCode).toBe(401);
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('refuses to register a route without a declared permission', async () => {
    await expect(
      startTestApp({}, { plugins: [(app) => void app.get('/undeclared', async () => ({ ok: true }))] }),
    ).rejects.toThrow(/declares no config\.permission/);
  });
});
