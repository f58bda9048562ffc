/**
 * A server for `server.bench.ts`, run in its own process so the load generator does
 * not share its event loop. `secured`: the Factory API with every layer on (headers,
 * trusted hosts, CORS allow-list, firewall and rate limits, request ids, JSON logs,
 * bearer auth with a session lookup); `bare`: one plain Fastify route answering the
 * same body (captured from a real status response). Prints one JSON
 * line `{url, token?}` once listening; exits on SIGTERM.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import pino from 'pino';
import { LOG_REDACT_PATHS, buildApp } from '../../server/app.ts';
import { defaultConfig } from '../../server/config.ts';
import { startServer } from '../../server/serve.ts';

const mode = process.argv[2];
const password = 'bench password for the admin';

/** A real `GET /api/v1/status` body from a throw-away Factory API. */
async function capturedStatusBody(): Promise<unknown> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'factory-bench-'));
  try {
    const app = await buildApp({
      logger: false,
      config: defaultConfig({
        dataDir,
        tls: 'off',
        devBootstrapPassword: password,
        trustedHosts: ['127.0.0.1'],
      }),
    });
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { host: '127.0.0.1' },
      payload: { email: 'admin@localhost', password },
    });
    const token = (login.json() as { access_token: string }).access_token;
    const status = await app.inject({
      method: 'GET',
      url: '/api/v1/status',
      headers: { host: '127.0.0.1', authorization: `Bearer ${token}` },
    });
    await app.close();
    if (status.statusCode !== 200) throw new Error(`status: ${status.body}`);
    return status.json();
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

if (mode === 'bare') {
  // The same response body the secured route sends, so the comparison is the layers' cost.
  const body = await capturedStatusBody();
  const app = Fastify();
  app.get('/api/v1/status', async () => body);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/api/v1/status` })}\n`);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
} else if (mode === 'secured') {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'factory-bench-'));
  const config = defaultConfig({
    dataDir,
    port: 0,
    // Plain HTTP on both sides of the comparison: TLS is transport, not a middleware layer.
    tls: 'off',
    trustedHosts: ['127.0.0.1'],
    corsOrigins: ['https://console.example'],
    devBootstrapPassword: password,
    logLevel: 'info',
  });
  // Logs are produced, redacted and written as in production (async JSON lines), to /dev/null.
  const logger = pino(
    { level: 'info', redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' } },
    pino.destination({ dest: '/dev/null', sync: false }),
  );
  const server = await startServer({ config, logger });
  const login = await server.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers: { host: '127.0.0.1' },
    payload: { email: 'admin@localhost', password },
  });
  if (login.statusCode !== 200) throw new Error(`could not sign in: ${login.body}`);
  const token = (login.json() as { access_token: string }).access_token;
  // The rate limiter stays on; its budget is raised so the load is measured, not refused.
  const generous = { capacity: 1_000_000, refill_per_s: 1_000_000 };
  const limits = await server.app.inject({
    method: 'PUT',
    url: '/api/v1/firewall/limits',
    headers: { host: '127.0.0.1', authorization: `Bearer ${token}` },
    payload: { public: generous, authenticated: generous, heavy: generous },
  });
  if (limits.statusCode >= 300) throw new Error(`could not raise limits: ${limits.body}`);
  process.stdout.write(`${JSON.stringify({ url: `${server.url}/api/v1/status`, token })}\n`);
  process.once(
    'SIGTERM',
    () =>
      void server
        .close()
        .then(() => fs.rm(dataDir, { recursive: true, force: true }))
        .then(() => process.exit(0)),
  );
} else {
  throw new Error('usage: server-target.ts secured|bare');
}
