/**
 * End to end over a real TLS port: `startFactory` (the console's door) on a fresh data
 * directory, the self-signed certificate checked against OpenSSL's own fingerprint,
 * HSTS over TLS, login, status posture and metrics, graceful close.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFactory, type RunningFactory } from '../../server/factory.ts';
import { DEV_PASSWORD, tempDir } from './helpers.ts';

interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  peerFingerprint: string;
}

let dataDir: string;
let factory: RunningFactory;
let certPem: string;

function request(method: string, url: string, body?: unknown, token?: string): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(
      url,
      {
        method,
        ca: certPem,
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const peerFingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            peerFingerprint,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

beforeAll(async () => {
  dataDir = await tempDir();
  factory = await startFactory({ dataDir, devBootstrapPassword: DEV_PASSWORD, logLevel: 'silent' });
  const bundle = await fs.readFile(path.join(dataDir, 'tls', 'self-signed.pem'), 'utf8');
  certPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(bundle)![0];
});
afterAll(async () => {
  await factory.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('startFactory over TLS', () => {
  it('listens on loopback over HTTPS with a certificate whose fingerprint OpenSSL agrees with', async () => {
    expect(factory.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(factory.adminEmail).toBe('admin@localhost');
    const openssl = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], {
      input: certPem,
    }).toString();
    expect(openssl.trim().split('=')[1]).toBe(factory.certFingerprint256);
    const health = await request('GET', `${factory.url}/health`);
    expect(health.status).toBe(200);
    expect(health.peerFingerprint).toBe(factory.certFingerprint256);
    expect(health.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  it('signs in, reports status with a posture checklist, and counts requests in /metrics', async () => {
    const login = await request('POST', `${factory.url}/api/v1/auth/login`, {
      email: 'admin@localhost',
      password: DEV_PASSWORD,
    });
    expect(login.status).toBe(200);
    const token = (JSON.parse(login.body) as { access_token: string }).access_token;
    const status = await request('GET', `${factory.url}/api/v1/status`, undefined, token);
    expect(status.status).toBe(200);
    const body = JSON.parse(status.body) as {
      mode: string;
      tls: string;
      cert_fingerprint256: string;
      posture: Array<{ id: string; ok: boolean; severity: string; detail: string; fix: string }>;
    };
    expect(body).toMatchObject({
      mode: 'development',
      tls: 'on',
      cert_fingerprint256: factory.certFingerprint256,
    });
    const byId = Object.fromEntries(body.posture.map((item) => [item.id, item]));
    expect(byId.tls?.ok).toBe(true);
    expect(byId.hsts?.ok).toBe(true);
    expect(byId.secrets_persisted?.ok).toBe(true);
    expect(byId.trusted_hosts?.ok).toBe(false);
    expect(byId.trusted_hosts?.fix).toMatch(/FACTORY_TRUSTED_HOSTS/);
    expect(byId.bootstrap_password_rotated?.ok).toBe(false);
    for (const item of body.posture) expect(item.ok ? item.fix === '' : item.fix.length > 0).toBe(true);
    await request('GET', `${factory.url}/api/v1/status`);
    const metrics = await request('GET', `${factory.url}/metrics`, undefined, token);
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.body).toMatch(
      /factory_http_requests_total\{method="GET",route="\/api\/v1\/status",status="200"\} 1/,
    );
    expect(metrics.body).toMatch(/factory_http_unauthorized_total [1-9]/);
    expect(metrics.body).not.toContain(token);
  });

  it('keeps the key owner-only and the same certificate on the next start', async () => {
    const stat = await fs.stat(path.join(dataDir, 'tls', 'self-signed.pem'));
    expect(stat.mode & 0o777).toBe(0o600);
    await factory.close();
    const second = await startFactory({ dataDir, logLevel: 'silent' });
    try {
      expect(second.certFingerprint256).toBe(factory.certFingerprint256);
    } finally {
      await second.close();
    }
  });
});
