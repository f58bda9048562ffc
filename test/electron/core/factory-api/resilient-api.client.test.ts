/**
 * The console's API client against the real Factory API made to misbehave on purpose
 * by an HTTP proxy on loopback (401 once, 503, 429 with Retry-After, a dropped
 * connection): one token refresh on 401 (no password kept), retries for idempotent calls only, waiting as told, and
 * the circuit breaker opening, half-opening and closing. Plus certificate pinning
 * against a real TLS server: a wrong pin sends nothing.
 */
import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { createSelfSignedCertificate } from '../../../../shared/node/crypto/x509.forge.ts';
import { BreakerState, CircuitOpenError } from '../../../../electron/core/factory-api/circuit-breaker.ts';
import { PinnedTransport, probeCertificate } from '../../../../electron/core/factory-api/pinned-transport.ts';
import { ResilientApiClient } from '../../../../electron/core/factory-api/resilient-api.client.ts';
import { ADMIN_EMAIL, DEV_PASSWORD, startTestApp, type TestApp } from '../../../server/helpers.ts';

type Action = 'pass' | 401 | 503 | 429 | 'drop';

let test: TestApp;
let upstreamPort: number;
let proxy: http.Server;
let proxyUrl: string;
const script: Action[] = [];
const seen: string[] = [];

beforeAll(async () => {
  test = await startTestApp();
  await test.app.listen({ host: '127.0.0.1', port: 0 });
  upstreamPort = (test.app.server.address() as AddressInfo).port;
  proxy = http.createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    // Sign-ins and refreshes always pass, so a scripted 401 tests the refresh, not the sign-in.
    const action =
      request.url === '/api/v1/auth/login' || request.url === '/api/v1/auth/refresh'
        ? 'pass'
        : (script.shift() ?? 'pass');
    if (action === 'drop') return request.socket.destroy();
    if (action !== 'pass') {
      const code = { 401: 'unauthenticated', 503: 'unavailable', 429: 'rate_limited' }[action];
      response.writeHead(action, {
        'content-type': 'application/json',
        ...(action === 429 ? { 'retry-after': '2' } : {}),
      });
      return response.end(JSON.stringify({ error: { code, message: `scripted ${action}` } }));
    }
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: upstreamPort,
        path: request.url,
        method: request.method,
        headers: request.headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => proxy.close(resolve));
  await test.close();
});

function client(options: { now?: () => number; waits?: number[] } = {}) {
  const waits = options.waits ?? [];
  return new ResilientApiClient({
    baseUrl: proxyUrl,
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    breaker: { failureThreshold: 3, openMs: 10_000, ...(options.now ? { now: options.now } : {}) },
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  });
}

function reset(...actions: Action[]) {
  script.length = 0;
  script.push(...actions);
  seen.length = 0;
}

describe('resilient API client', () => {
  it('answers a 401 with one refresh of the token, never a second sign-in', async () => {
    const api = client();
    await api.login(ADMIN_EMAIL, DEV_PASSWORD);
    reset(401);
    expect(await api.listResources()).toEqual([]);
    expect(seen.filter((line) => line === 'POST /api/v1/auth/refresh')).toHaveLength(1);
    expect(seen.filter((line) => line === 'POST /api/v1/auth/login')).toHaveLength(0);
    reset(401, 401);
    await expect(api.listResources()).rejects.toMatchObject({ code: ErrorCode.Unauthenticated });
    expect(seen.filter((line) => line === 'POST /api/v1/auth/refresh')).toHaveLength(1);
    expect(seen.filter((line) => line === 'POST /api/v1/auth/login')).toHaveLength(0);
  });

  it('retries idempotent calls on 503 and dropped connections, but not POSTs', async () => {
    const api = client();
    await api.login(ADMIN_EMAIL, DEV_PASSWORD);
    reset(503, 'drop');
    expect(await api.listResources()).toEqual([]);
    expect(seen.filter((line) => line === 'GET /api/v1/resources')).toHaveLength(3);
    reset(503);
    await expect(
      api.unlock('res_000000000000000000000000', 'mch_000000000000000000000000'),
    ).rejects.toMatchObject({ status: 503 });
    expect(seen).toHaveLength(1);
  });

  it('waits as long as 429 Retry-After says, for POSTs too', async () => {
    const waits: number[] = [];
    const api = client({ waits });
    await api.login(ADMIN_EMAIL, DEV_PASSWORD);
    reset(429);
    await expect(
      api.unlock('res_000000000000000000000000', 'mch_000000000000000000000000'),
    ).rejects.toMatchObject({ code: ErrorCode.NotFound });
    expect(waits).toEqual([2000]);
    expect(seen).toHaveLength(2);
  });

  it('opens the circuit after repeated failures, fails fast, then half-opens and closes', async () => {
    let now = 1_000_000;
    const api = client({ now: () => now });
    await api.login(ADMIN_EMAIL, DEV_PASSWORD);
    reset(503, 503, 503, 503);
    // The third 503 opens the circuit, so the retry loop's last try is refused without being sent.
    await expect(api.listResources()).rejects.toBeInstanceOf(CircuitOpenError);
    expect(seen.filter((line) => line === 'GET /api/v1/resources')).toHaveLength(3);
    expect(api.breaker.state).toBe(BreakerState.Open);
    const before = seen.length;
    await expect(api.listResources()).rejects.toBeInstanceOf(CircuitOpenError);
    expect(seen.length).toBe(before); // fail fast: nothing sent
    now += 10_001;
    expect(api.breaker.state).toBe(BreakerState.HalfOpen);
    reset();
    expect(await api.listResources()).toEqual([]);
    expect(api.breaker.state).toBe(BreakerState.Closed);
  });
});

describe('certificate pinning', () => {
  it('talks only to the pinned certificate; a wrong pin fails before any request is sent', async () => {
    const identity = createSelfSignedCertificate({
      commonName: 'pin-test',
      altNames: ['127.0.0.1'],
      days: 2,
    });
    const other = createSelfSignedCertificate({ commonName: 'other', altNames: ['127.0.0.1'], days: 2 });
    let requests = 0;
    const server = https.createServer(
      { key: identity.keyPem, cert: identity.certPem },
      (_request, response) => {
        requests += 1;
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const seenPin = await probeCertificate(url);
      expect(seenPin.fingerprint256).toBe(new X509Certificate(identity.certPem).fingerprint256);
      expect(requests).toBe(0); // the probe reads the certificate and sends nothing

      const good = new PinnedTransport(url, { pin: seenPin });
      const ok = await good.fetch(`${url}/health`);
      expect(ok.status).toBe(200);
      good.close();
      expect(requests).toBe(1);

      const wrong = new PinnedTransport(url, {
        pin: { fingerprint256: new X509Certificate(other.certPem).fingerprint256, pem: other.certPem },
      });
      const api = new ResilientApiClient({ baseUrl: url, fetch: wrong.fetch, retry: { baseDelayMs: 1 } });
      await expect(api.isHealthy()).rejects.toMatchObject({ code: ErrorCode.CertificateMismatch });
      wrong.close();
      expect(requests).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
