import { request } from 'node:http';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startBrowserMode,
  type BrowserMode,
} from '../../../../../electron/core/shells/browser/browser-mode.ts';
import { tokenMatches } from '../../../../../electron/core/shells/browser/request-guard.ts';
import { MemorySettingsStore } from '../../../../../electron/core/domains/settings/settings.store.ts';
import { createHttpBridge } from '../../../../../renderer/src/bridge/http-bridge.ts';
import type { FactoryStatus } from '../../../../../shared/common/contract/bridge.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(port: number, method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<Reply>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}

let folder: string;
let mode: BrowserMode;
let port: number;
let good: Record<string, string>;
let exchange: Reply;
let cookie: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'console-browser-'));
  const staticDir = join(folder, 'dist');
  await mkdir(join(staticDir, 'assets'), { recursive: true });
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>console</title>');
  await writeFile(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(folder, 'secret.txt'), 'outside the root');
  mode = await startBrowserMode({
    dataDir: join(folder, 'data'),
    staticDir,
    version: '0.0.0-test',
    // A configured server that is not there: these tests are about the transport.
    settings: new MemorySettingsStore({ serverUrl: 'http://127.0.0.1:9' }),
    core: { apiTimeoutMs: 1_000 },
  });
  port = Number(new URL(mode.origin).port);
  // The page's first request: the launch token is exchanged for the session cookie.
  exchange = await send(port, 'POST', '/api/session', {
    host: `127.0.0.1:${port}`,
    origin: mode.origin,
    'x-console-token': mode.token,
  });
  const setCookie = [exchange.headers['set-cookie'] ?? []].flat()[0] ?? '';
  cookie = setCookie.split(';')[0] ?? '';
  good = {
    host: `127.0.0.1:${port}`,
    origin: mode.origin,
    cookie,
    'content-type': 'application/json',
  };
});

afterAll(async () => {
  await mode?.close();
  await rm(folder, { recursive: true, force: true });
});

describe('browser mode server', () => {
  it('prints a loopback URL with the token in the fragment', () => {
    expect(mode.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/);
    expect(mode.url.endsWith(mode.token)).toBe(true);
  });

  it('exchanges the launch token once for an HttpOnly, SameSite=Strict session cookie', async () => {
    expect(exchange.status).toBe(200);
    const setCookie = [exchange.headers['set-cookie'] ?? []].flat()[0] ?? '';
    expect(setCookie).toMatch(/^console_session_\d+=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/; HttpOnly(;|$)/);
    expect(setCookie).toMatch(/; SameSite=Strict(;|$)/);
    expect(setCookie).toMatch(/; Path=\/(;|$)/);
    expect(setCookie).not.toContain(mode.token);
    // The cookie works; the token, used once, no longer does (neither alone nor for a new cookie).
    const { cookie: _cookie, ...noCookie } = good;
    expect((await send(port, 'POST', '/api/call/settings.get', good, '[]')).status).toBe(200);
    const again = { ...noCookie, 'x-console-token': mode.token };
    const reused = await send(port, 'POST', '/api/call/settings.get', again, '[]');
    expect(reused.status).toBe(401);
    expect(reused.headers['set-cookie']).toBeUndefined();
    expect((await send(port, 'POST', '/api/session', again)).status).toBe(401);
    expect((await send(port, 'POST', '/api/call/settings.get', noCookie, '[]')).status).toBe(401);
    const forged = { ...good, cookie: `console_session_${port}=${'A'.repeat(43)}` };
    expect((await send(port, 'POST', '/api/call/settings.get', forged, '[]')).status).toBe(401);
  });

  it('serves the page with a strict CSP and security headers', async () => {
    const reply = await send(port, 'GET', '/', { host: good.host! });
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('<title>console</title>');
    expect(reply.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(reply.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(reply.headers['x-frame-options']).toBe('DENY');
    expect(reply.headers['referrer-policy']).toBe('no-referrer');
    expect(reply.headers['cache-control']).toBe('no-store');
    expect((await send(port, 'GET', '/assets/app.js', { host: good.host! })).status).toBe(200);
  });

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/.hidden',
    '/nope.js',
  ])('does not serve %s', async (path) => {
    const reply = await send(port, 'GET', path, { host: good.host! });
    expect(reply.status).toBe(404);
    expect(reply.body).not.toContain('outside the root');
  });

  it('answers a call with a typed result', async () => {
    const reply = await send(port, 'POST', '/api/call/settings.get', good, '[]');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({
      ok: true,
      value: { serverUrl: 'http://127.0.0.1:9', theme: 'system', strictHardware: false, autoLockMinutes: 15 },
    });
    const status = JSON.parse((await send(port, 'POST', '/api/call/status.get', good, '[]')).body);
    expect(status).toMatchObject({ ok: true, value: { reachable: false, embedded: false } });
  });

  it.each([
    ['no cookie', { cookie: '' }, 401, 'unauthenticated'],
    ['a wrong cookie', { cookie: 'console_session_PORT=' + 'A'.repeat(43) }, 401, 'unauthenticated'],
    ['a foreign Origin', { origin: 'http://evil.example' }, 403, 'forbidden'],
    ['a look-alike Origin', { origin: 'http://127.0.0.1:1' }, 403, 'forbidden'],
    ['a null Origin', { origin: 'null' }, 403, 'forbidden'],
    ['a rebound Host', { host: 'evil.example' }, 400, 'untrusted_host'],
    ['localhost as Host', { host: `localhost:PORT` }, 400, 'untrusted_host'],
  ])('refuses %s', async (_name, override, status, code) => {
    const headers: Record<string, string> = { ...good };
    for (const [key, value] of Object.entries(override)) {
      if (value === '') delete headers[key];
      else headers[key] = value.replace('PORT', String(port));
    }
    const reply = await send(port, 'POST', '/api/call/settings.get', headers, '[]');
    expect(reply.status).toBe(status);
    expect(JSON.parse(reply.body)).toEqual({ ok: false, error: { code, message: expect.any(String) } });
    expect(reply.body).not.toContain('strictHardware');
  });

  it('refuses a call without Origin even with the cookie', async () => {
    const { origin: _origin, ...headers } = good;
    expect((await send(port, 'POST', '/api/call/settings.get', headers, '[]')).status).toBe(403);
  });

  it('refuses a rebound Host for the page too', async () => {
    expect((await send(port, 'GET', '/', { host: 'attacker.example' })).status).toBe(400);
  });

  it('refuses bad bodies with typed errors', async () => {
    const cases: Array<[string, Record<string, string>, string, number, string]> = [
      ['/api/call/settings.get', { 'content-type': 'text/plain' }, '[]', 400, 'bad_request'],
      ['/api/call/settings.get', {}, '{not json', 400, 'validation_failed'],
      ['/api/call/settings.update', {}, '[{"serverUrl":"javascript:alert(1)"}]', 200, 'validation_failed'],
      ['/api/call/settings.update', {}, '[{"__proto__":{"x":1}}]', 200, 'validation_failed'],
      ['/api/call/nope.nope', {}, '[]', 200, 'not_found'],
      ['/api/call/settings.get', {}, `["${'x'.repeat(80_000)}"]`, 413, 'payload_too_large'],
    ];
    for (const [path, extra, body, status, code] of cases) {
      const reply = await send(port, 'POST', path, { ...good, ...extra }, body);
      expect([path, reply.status]).toEqual([path, status]);
      expect(JSON.parse(reply.body).error.code).toBe(code);
    }
    expect((await send(port, 'GET', '/api/call/settings.get', good)).status).toBe(400);
  });

  it('streams pushes over SSE to an authenticated page only', async () => {
    const refused = await fetch(`${mode.origin}/api/events`, {
      method: 'POST',
      headers: { origin: mode.origin },
    });
    expect(refused.status).toBe(401);
    await refused.body?.cancel();
    const controller = new AbortController();
    const response = await fetch(`${mode.origin}/api/events`, {
      method: 'POST',
      headers: { origin: mode.origin, cookie },
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value);
    const entry = { seq: 9, type: 'login', actor: 'admin', at: '2026-01-01T00:00:00Z', hash: 'ab' };
    mode.core.router.emit('audit', 'onEntry', entry);
    for (let i = 0; i < 5 && !text.includes('audit.onEntry'); i += 1) {
      text += decoder.decode((await reader.read()).value);
    }
    controller.abort();
    const line = text.split('\n').find((candidate) => candidate.startsWith('data: '));
    expect(JSON.parse(line!.slice(6))).toEqual({ channel: 'audit.onEntry', payload: entry });
  });

  it("serves the renderer's HTTP bridge: calls, pushes, unsubscribe, no cookie", async () => {
    // Node's fetch sends no Origin and keeps no cookies; a browser does both. Add them as the page would.
    const pageFetch: typeof fetch = (input, init) =>
      fetch(input, {
        ...init,
        headers: { ...(init?.headers as Record<string, string>), origin: mode.origin, cookie },
      });
    const strangerFetch: typeof fetch = (input, init) =>
      fetch(input, {
        ...init,
        headers: { ...(init?.headers as Record<string, string>), origin: mode.origin },
      });
    const bridge = createHttpBridge({ origin: mode.origin, token: mode.token, fetch: pageFetch });
    expect(await bridge.settings.get()).toMatchObject({ ok: true, value: { theme: 'system' } });
    expect(await bridge.settings.update({ theme: 'dark' })).toMatchObject({
      ok: true,
      value: { theme: 'dark' },
    });
    // resources.list is served by the resources service: not signed in, with an empty vault,
    // the answer says to sign in (never an empty list that reads as "nothing is published").
    expect(await bridge.resources.list()).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });

    const received: FactoryStatus[] = [];
    const unsubscribe = bridge.status.onChange((status) => received.push(status));
    const current = await bridge.status.get();
    if (!current.ok) throw new Error(current.error.message);
    const pushed: FactoryStatus = { ...current.value, problem: 'pushed by the test' };
    const deadline = Date.now() + 5_000;
    // The status poll may push its own result first: wait for the one pushed here.
    const seen = () => received.some((status) => status.problem === 'pushed by the test');
    while (!seen() && Date.now() < deadline) {
      mode.core.router.emit('status', 'onChange', pushed);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    unsubscribe();
    expect(received).toContainEqual(expect.objectContaining({ problem: 'pushed by the test' }));

    // Without the cookie, the spent launch token opens nothing.
    const intruder = createHttpBridge({ origin: mode.origin, token: mode.token, fetch: strangerFetch });
    expect(await intruder.settings.get()).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    const nowhere = createHttpBridge({ origin: 'http://127.0.0.1:9', token: mode.token });
    expect(await nowhere.app.info()).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('compares tokens exactly', () => {
    expect(tokenMatches(mode.token, mode.token)).toBe(true);
    expect(tokenMatches(`${mode.token}x`, mode.token)).toBe(false);
    expect(tokenMatches(mode.token.slice(0, -1), mode.token)).toBe(false);
    expect(tokenMatches(undefined, mode.token)).toBe(false);
  });
});
