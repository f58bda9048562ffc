/**
 * TLS follows Mozilla's "intermediate" configuration (docs/SERVER.md §TLS): TLS 1.2+,
 * ECDHE + AEAD suites only, and a self-signed certificate that lives at most 397 days.
 * Checked with the system's `openssl s_client` against a real server on loopback.
 */
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenOnLoopback, startTestApp, type TestApp } from '../helpers.ts';

let harness: TestApp;
let port: number;
beforeAll(async () => {
  harness = await startTestApp({ tls: 'on' });
  await listenOnLoopback(harness.app);
  port = (harness.app.server.address() as AddressInfo).port;
});
afterAll(async () => harness.close());

/** `openssl s_client` in a child process (asynchronously: the server runs in this one). */
function handshake(cipher: string): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_2', '-cipher', cipher, '-servername', 'localhost'],
      { stdio: ['pipe', 'pipe', 'pipe'], timeout: 10_000 },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdin.end();
    child.on('close', (code) => resolve({ ok: code === 0, output }));
  });
}

describe('TLS configuration', () => {
  it('accepts an intermediate suite', async () => {
    const result = await handshake('ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256');
    expect(result.ok, result.output).toBe(true);
  });

  it('refuses a static-RSA suite (no forward secrecy)', async () => {
    expect((await handshake('AES128-GCM-SHA256')).ok).toBe(false);
  });

  it('refuses a CBC suite', async () => {
    expect((await handshake('ECDHE-RSA-AES128-SHA')).ok).toBe(false);
  });

  it('the self-signed certificate lives at most 397 days', () => {
    const identity = harness.app.tlsIdentity;
    expect(identity?.selfSigned).toBe(true);
    const cert = new X509Certificate(identity?.cert ?? '');
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    expect(days).toBeLessThanOrEqual(397);
    expect(days).toBeGreaterThan(300);
  });
});
