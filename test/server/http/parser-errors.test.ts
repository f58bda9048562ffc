/**
 * Errors raised by Node's HTTP parser, before Fastify routes anything (a malformed
 * request line or header over a raw socket to a listening server), answer with the
 * security headers and the standard error body (docs/SECURITY.md §Factory API).
 */
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenOnLoopback, startTestApp, type TestApp } from '../helpers.ts';

let harness: TestApp;
let port: number;
beforeAll(async () => {
  harness = await startTestApp();
  await listenOnLoopback(harness.app);
  port = (harness.app.server.address() as AddressInfo).port;
});
afterAll(async () => harness.close());

function rawExchange(payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer; got ${JSON.stringify(received)}`));
    }, 5000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.write(payload);
  });
}

function parse(raw: string): { status: number; headers: Record<string, string>; body: string } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

describe('HTTP parser errors', () => {
  for (const [name, payload] of [
    ['a malformed request line', 'GET /api/v1/status HTTP/9 nonsense\r\n\r\n'],
    ['a malformed header', 'GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n'],
  ] as const) {
    it(`${name} gets the security headers and the standard body`, async () => {
      const response = parse(await rawExchange(payload));
      expect(response.status).toBe(400);
      expect(response.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      const requestId = response.headers['x-request-id'];
      expect(requestId).toBeTruthy();
      const body = JSON.parse(response.body) as {
        error: { code: string; message: string; request_id: string };
      };
      expect(body.error.code).toBe('bad_request');
      expect(body.error.message).toBeTruthy();
      expect(body.error.request_id).toBe(requestId);
    });
  }
});
