/**
 * The `resources publish` command's way through a running server on the same host:
 * sign in, then stream the file to `POST /api/v1/resources`. TLS trusts exactly the
 * server's own certificate (read from its data directory or FACTORY_TLS_CERT).
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import type { ServerConfig } from '../config.ts';
import { SELF_SIGNED_FILE } from '../secrets/tls.ts';
import { ServerCliError } from './command.ts';

function connectHost(config: ServerConfig): string {
  return config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
}

/** True when something accepts connections on the configured port. */
export function isListening(config: ServerConfig): Promise<boolean> {
  if (config.port === 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = net.connect({ host: connectHost(config), port: config.port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Asks for a password on the terminal without echo. */
export function promptPassword(email: string): Promise<string> {
  if (!process.stdin.isTTY)
    throw new ServerCliError('the server is running: set FACTORY_PASSWORD to publish through it', 2);
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const output = rl as unknown as { _writeToOutput: (text: string) => void };
    let muted = false;
    output._writeToOutput = (text: string) => {
      if (!muted) process.stderr.write(text);
    };
    rl.question(`Password for ${email}: `, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}

async function serverCertificate(config: ServerConfig): Promise<string> {
  const file = config.tlsCertFile ?? path.join(config.dataDir, 'tls', SELF_SIGNED_FILE);
  const text = await fs.readFile(file, 'utf8');
  const match = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text);
  if (!match) throw new ServerCliError(`${file}: no certificate found`);
  return match[0];
}

interface Reply {
  status: number;
  json: unknown;
}

async function call(
  config: ServerConfig,
  options: http.RequestOptions,
  body: Buffer | string | NodeJS.ReadableStream,
): Promise<Reply> {
  const tls = config.tls === 'on';
  const ca = tls ? await serverCertificate(config) : undefined;
  return new Promise((resolve, reject) => {
    const request = (tls ? https : http).request({
      host: connectHost(config),
      port: config.port,
      ...options,
      ...(tls ? { ca, checkServerIdentity: () => undefined } : {}),
    });
    request.once('error', reject);
    request.once('response', async (response) => {
      let text = '';
      for await (const piece of response) text += String(piece);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      resolve({ status: response.statusCode ?? 0, json });
    });
    if (typeof body === 'string' || Buffer.isBuffer(body)) request.end(body);
    else body.pipe(request);
  });
}

function failure(reply: Reply, what: string): ServerCliError {
  const error = (reply.json as { error?: { code?: string; message?: string } } | undefined)?.error;
  return new ServerCliError(
    `${what} failed: ${error?.code ?? reply.status}: ${error?.message ?? 'no details'}`,
  );
}

export async function publishOverHttp(
  config: ServerConfig,
  input: { file: string; size: number; name: string; version: string; email: string; password: string },
): Promise<{
  resource: { id: string; plaintext_size: number };
  manifest: { manifest: { plaintext_sha256: string } };
}> {
  const login = await call(
    config,
    { method: 'POST', path: '/api/v1/auth/login', headers: { 'content-type': 'application/json' } },
    JSON.stringify({ email: input.email, password: input.password }),
  );
  if (login.status !== 200) throw failure(login, 'sign-in');
  const token = (login.json as { access_token: string }).access_token;
  const query = `name=${encodeURIComponent(input.name)}&version=${encodeURIComponent(input.version)}`;
  const published = await call(
    config,
    {
      method: 'POST',
      path: `/api/v1/resources?${query}`,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/octet-stream',
        'content-length': String(input.size),
      },
    },
    createReadStream(input.file),
  );
  if (published.status !== 201) throw failure(published, 'publish');
  return published.json as Awaited<ReturnType<typeof publishOverHttp>>;
}
