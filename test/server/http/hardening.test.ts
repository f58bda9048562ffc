/**
 * HTTP hardening (docs/SECURITY.md §Factory API): security headers on every kind of response, body limit
 * at the byte, CORS allow-list, trusted hosts, request ids, no stack traces.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, DEV_PASSWORD, bearer, login, startTestApp, type TestApp } from '../helpers.ts';

const LIMIT = 1024 * 1024;
const testRoutes = (app: FastifyInstance) => {
  app.post('/test/echo', { config: { permission: 'public' } }, async (request) => ({
    received: JSON.stringify(request.body).length,
  }));
  app.get('/test/boom', { config: { permission: 'public' } }, async () => {
    throw new Error('secret internal detail at /srv/factory');
  });
};

let harness: TestApp;
beforeAll(async () => {
  harness = await startTestApp({}, { plugins: [testRoutes] });
});
afterAll(async () => harness.close());

function expectSecurityHeaders(response: LightMyRequestResponse): void {
  const headers = response.headers;
  expect(headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['permissions-policy']).toMatch(/camera=\(\)/);
  expect(headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(headers['cross-origin-resource-policy']).toBe('same-origin');
  expect(headers['x-request-id']).toBeTruthy();
  expect(headers['x-xss-protection']).toBeUndefined();
  // Plain HTTP here: HSTS is only sent over TLS (see the TLS test).
  expect(headers['strict-transport-security']).toBeUndefined();
}

function expectErrorBody(response: LightMyRequestResponse, code: string): void {
  const body = response.json() as { error: { code: string; message: string; request_id: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.request_id).toBe(response.headers['x-request-id']);
}

describe('security headers on every status', () => {
  it('200, 401, 403, 404, 413, 429 and 500 all carry them', async () => {
    const { app } = harness;
    const admin = await login(app, ADMIN_EMAIL, DEV_PASSWORD);
    const ok = await app.inject({
      method: 'GET',
      url: '/api/v1/status',
      headers: bearer(admin.access_token),
    });
    expect(ok.statusCode).toBe(200);
    expectSecurityHeaders(ok);

    const unauthenticated = await app.inject({ method: 'GET', url: '/api/v1/status' });
    expect(unauthenticated.statusCode).toBe(401);
    expect(unauthenticated.headers['www-authenticate']).toMatch(/^Bearer/);
    expectSecurityHeaders(unauthenticated);
    expectErrorBody(unauthenticated, 'unauthenticated');

    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(admin.access_token),
      payload: { email: 'viewer-h@example.test', password: 'viewer password long', role: 'viewer' },
    });
    expect(created.statusCode).toBe(201);
    const viewer = await login(app, 'viewer-h@example.test', 'viewer password long');
    const forbidden = await app.inject({
      method: 'GET',
      url: '/api/v1/users',
      headers: bearer(viewer.access_token),
    });
    expect(forbidden.statusCode).toBe(403);
    expectSecurityHeaders(forbidden);
    expectErrorBody(forbidden, 'forbidden');

    const missing = await app.inject({ method: 'GET', url: '/nowhere' });
    expect(missing.statusCode).toBe(404);
    expectSecurityHeaders(missing);
    expectErrorBody(missing, 'not_found');

    const tooLarge = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: `"${'x'.repeat(LIMIT)}"`,
    });
    expect(tooLarge.statusCode).toBe(413);
    expectSecurityHeaders(tooLarge);
    expectErrorBody(tooLarge, 'payload_too_large');

    let limited: LightMyRequestResponse | undefined;
    for (let attempt = 0; attempt < 10 && limited === undefined; attempt += 1) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'viewer-h@example.test', password: `wrong password ${attempt}` },
      });
      if (response.statusCode === 429) limited = response;
    }
    expect(limited).toBeDefined();
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expectSecurityHeaders(limited!);
    expectErrorBody(limited!, 'account_locked');

    const boom = await app.inject({ method: 'GET', url: '/test/boom' });
    expect(boom.statusCode).toBe(500);
    expectSecurityHeaders(boom);
    expectErrorBody(boom, 'internal');
    expect(boom.body).not.toContain('secret internal detail');
    expect(boom.body).not.toContain('/srv/factory');
  });
});

describe('body limit', () => {
  it('accepts a body of exactly the limit and refuses one byte more', async () => {
    const exact = `"${'a'.repeat(LIMIT - 2)}"`;
    expect(Buffer.byteLength(exact)).toBe(LIMIT);
    const accepted = await harness.app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: exact,
    });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toEqual({ received: LIMIT });
    const over = await harness.app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: `"${'a'.repeat(LIMIT - 1)}"`,
    });
    expect(over.statusCode).toBe(413);
  });

  it('refuses malformed JSON with a clear 400', async () => {
    const response = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": ',
    });
    expect(response.statusCode).toBe(400);
    expectErrorBody(response, 'bad_request');
  });
});

describe('request ids', () => {
  it('reuses a sane X-Request-ID and replaces an unsafe one', async () => {
    const reused = await harness.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'trace-42.abc' },
    });
    expect(reused.headers['x-request-id']).toBe('trace-42.abc');
    const unsafe = await harness.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'a b\tc{}' },
    });
    expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const fresh = await harness.app.inject({ method: 'GET', url: '/health' });
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('CORS', () => {
  it('same-origin only by default: no CORS grant for any origin', async () => {
    const response = await harness.app.inject({
      method: 'GET',
      url: '/health',
      headers: { origin: 'https://evil.example' },
    });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('grants only listed origins', async () => {
    const listed = await startTestApp({ corsOrigins: ['https://console.example.com'] });
    try {
      const denied = await listed.app.inject({
        method: 'OPTIONS',
        url: '/api/v1/status',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
      });
      expect(denied.headers['access-control-allow-origin']).toBeUndefined();
      const allowed = await listed.app.inject({
        method: 'OPTIONS',
        url: '/api/v1/status',
        headers: { origin: 'https://console.example.com', 'access-control-request-method': 'GET' },
      });
      expect(allowed.headers['access-control-allow-origin']).toBe('https://console.example.com');
      expect(String(allowed.headers['access-control-allow-headers'])).not.toContain('*');
    } finally {
      await listed.close();
    }
  });

  it('grants nothing to a request from no origin or an unlisted one: no access-control-* header at all', async () => {
    const listed = await startTestApp({ corsOrigins: ['https://console.example.com'] });
    const grants = (response: LightMyRequestResponse) =>
      Object.keys(response.headers).filter((name) => name.startsWith('access-control-'));
    try {
      for (const origin of [undefined, 'https://evil.example', 'https://console.example.com.evil.example']) {
        const headers = origin === undefined ? {} : { origin };
        const read = await listed.app.inject({ method: 'GET', url: '/health', headers });
        expect(read.statusCode, origin).toBe(200);
        expect(grants(read), origin).toEqual([]);
        // Caches must still keep answers for different origins apart.
        expect(String(read.headers['vary']), origin).toMatch(/origin/i);
        const preflight = await listed.app.inject({
          method: 'OPTIONS',
          url: '/api/v1/status',
          headers: { ...headers, 'access-control-request-method': 'DELETE' },
        });
        expect(grants(preflight), origin).toEqual([]);
        expect(preflight.statusCode, origin).not.toBe(204);
      }
      const allowed = await listed.app.inject({
        method: 'GET',
        url: '/health',
        headers: { origin: 'https://console.example.com' },
      });
      expect(allowed.headers['access-control-allow-origin']).toBe('https://console.example.com');
      expect(allowed.headers['access-control-allow-credentials']).toBe('true');
      expect(String(allowed.headers['access-control-expose-headers'])).toContain('X-Request-ID');
    } finally {
      await listed.close();
    }
  });
});

describe('trusted hosts', () => {
  it('refuses an unknown Host with 400 and accepts a listed one', async () => {
    const guarded = await startTestApp({ trustedHosts: ['api.example.com'] });
    try {
      const bad = await guarded.app.inject({
        method: 'GET',
        url: '/health',
        headers: { host: 'evil.example' },
      });
      expect(bad.statusCode).toBe(400);
      expectErrorBody(bad, 'untrusted_host');
      expectSecurityHeaders(bad);
      const good = await guarded.app.inject({
        method: 'GET',
        url: '/health',
        headers: { host: 'api.example.com:8443' },
      });
      expect(good.statusCode).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});

describe('logs', () => {
  it('carry the request id and never a password, token or API key', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString('utf8'));
        callback();
      },
    });
    const logged = await startTestApp({ logLevel: 'info' }, { logger: { stream } });
    try {
      const admin = await login(logged.app, ADMIN_EMAIL, DEV_PASSWORD);
      await logged.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: ADMIN_EMAIL, password: 'a wrong but secret password' },
      });
      const key = await logged.app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: bearer(admin.access_token),
        payload: { name: 'k', scopes: ['status:read'] },
      });
      const apiKey = (key.json() as { key: string }).key;
      await logged.app.inject({
        method: 'GET',
        url: '/api/v1/status',
        headers: { 'x-api-key': apiKey, 'x-request-id': 'trace-logs-1' },
      });
      const text = lines.join('');
      expect(text).toContain('trace-logs-1');
      expect(text).toContain('"route":"/api/v1/status"');
      for (const secret of [
        DEV_PASSWORD,
        'a wrong but secret password',
        admin.access_token,
        admin.refresh_token,
        apiKey,
      ]) {
        expect(text).not.toContain(secret);
      }
    } finally {
      await logged.close();
    }
  });

  it("write a request's own lines with its id and redacted, and one access line per request", async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(
          ...chunk
            .toString('utf8')
            .split('\n')
            .filter((line) => line.length > 0),
        );
        callback();
      },
    });
    // A route that logs through `request.log` (made on first use, server/http/lazy-request-logger.ts)
    // an object holding a password and a token, as a careless handler might.
    const careless = (app: FastifyInstance) => {
      app.get('/test/careless', { config: { permission: 'public' } }, async (request) => {
        request.log.warn(
          { attempt: { password: 'hunter2-in-a-log', access_token: 'token-in-a-log' } },
          'careless line',
        );
        return { ok: true };
      });
    };
    const logged = await startTestApp({ logLevel: 'info' }, { logger: { stream }, plugins: [careless] });
    try {
      for (const id of ['lazy-1', 'lazy-2']) {
        const response = await logged.app.inject({
          method: 'GET',
          url: '/test/careless',
          headers: { 'x-request-id': id },
        });
        expect(response.statusCode).toBe(200);
      }
      await logged.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'quiet-1' } });
      const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      const careless1 = parsed.filter((line) => line['msg'] === 'careless line');
      expect(careless1.map((line) => line['reqId'])).toEqual(['lazy-1', 'lazy-2']);
      for (const line of careless1) {
        expect(line['attempt']).toEqual({ password: '[redacted]', access_token: '[redacted]' });
      }
      expect(lines.join('\n')).not.toContain('hunter2-in-a-log');
      expect(lines.join('\n')).not.toContain('token-in-a-log');
      const access = parsed.filter((line) => line['msg'] === 'request');
      expect(access.map((line) => [line['reqId'], line['route'], line['status']])).toEqual([
        ['lazy-1', '/test/careless', 200],
        ['lazy-2', '/test/careless', 200],
        ['quiet-1', '/health', 200],
      ]);
      expect(access.every((line) => line['method'] === 'GET' && typeof line['ms'] === 'number')).toBe(true);
    } finally {
      await logged.close();
    }
  });
});
