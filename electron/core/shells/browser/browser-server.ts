/**
 * Browser mode (docs/ARCHITECTURE.md §Browser mode): where the Electron binary is absent, the renderer and
 * the IPC router are served on 127.0.0.1. Calls are `POST /api/call/<channel>` with
 * the argument list as JSON; pushes are a `POST /api/events` Server-Sent-Events
 * stream (POST, so the browser always sends Origin, and fetch can carry the token
 * header, which EventSource cannot). Every request passes request-guard.ts first.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BrowserTransport } from '../../../../shared/common/contract/browser-transport.ts';
import { ContractLimits } from '../../../../shared/common/contract/limits.ts';
import { fail, type Result } from '../../../../shared/common/contract/result.ts';
import { httpStatusOf, type ErrorCode } from '../../../../shared/common/errors.ts';
import type { IpcRouter } from '../../ipc/router.ts';
import { contentSecurityPolicy, pageSecurityHeaders } from '../../platform/content-security-policy.ts';
import { hostMatches, newLaunchToken, originMatches, tokenHeader, tokenMatches } from './request-guard.ts';
import { resolveStaticFile, sendFile } from './static-files.ts';
import { EventStreams } from './event-streams.ts';

export interface BrowserServerOptions {
  router: IpcRouter;
  /** The built renderer (Vite output). */
  staticDir: string;
  port?: number;
  /** Fixed token for tests; a fresh random one per launch otherwise. */
  token?: string;
}

export interface BrowserServer {
  /** The address to open, with the token in the fragment (never sent to a server by browsers). */
  url: string;
  origin: string;
  token: string;
  close(): Promise<void>;
}

const callPrefix = BrowserTransport.callPath;

export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? newLaunchToken();
  // One-time: the first request that carries the launch token spends it for this cookie.
  let launchToken: string | null = token;
  const session = newLaunchToken();
  let cookieName = '';
  const streams = new EventStreams(options.router);
  let origin = '';
  let expectedHost = '';
  const csp = contentSecurityPolicy();
  const pageHeaders = { ...pageSecurityHeaders, 'content-security-policy': csp };

  const server = createServer((request, response) => {
    void route(request, response).catch(() => {
      if (!response.headersSent) refuse(response, 'internal', 'The console hit an unexpected error.');
      else response.destroy();
    });
  });

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!hostMatches(request.headers.host, expectedHost)) {
      return refuse(response, 'untrusted_host', 'Unexpected Host header.');
    }
    const pathname = new URL(request.url ?? '/', origin).pathname;
    if (pathname.startsWith('/api/')) return api(request, response, pathname);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return refuse(response, 'bad_request', 'Method not allowed.');
    }
    const file = await resolveStaticFile(options.staticDir, pathname);
    if (!file) return refuse(response, 'not_found', 'Not found.');
    sendFile(response, file, pageHeaders, request.method === 'HEAD');
  }

  async function api(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
    if (request.method !== 'POST') return refuse(response, 'bad_request', 'Method not allowed.');
    if (!originMatches(request.headers.origin, origin)) {
      return refuse(response, 'forbidden', 'Foreign or missing Origin.');
    }
    if (!tokenMatches(sessionCookie(request.headers.cookie, cookieName), session)) {
      const provided = request.headers[tokenHeader];
      if (
        launchToken === null ||
        !tokenMatches(typeof provided === 'string' ? provided : undefined, launchToken)
      ) {
        return refuse(response, 'unauthenticated', 'Missing or wrong console session.');
      }
      launchToken = null;
      response.setHeader('set-cookie', `${cookieName}=${session}; HttpOnly; SameSite=Strict; Path=/`);
    }
    if (pathname === BrowserTransport.sessionPath) return sendJson(response, 200, { ok: true, value: null });
    if (pathname === BrowserTransport.eventsPath) {
      streams.open(request, response, pageSecurityHeaders);
      return;
    }
    if (!pathname.startsWith(callPrefix)) return refuse(response, 'not_found', 'Not found.');
    const contentType = request.headers['content-type'] ?? '';
    if (!/^application\/json(;|$)/.test(contentType)) {
      return refuse(response, 'bad_request', 'Calls are JSON.');
    }
    const body = await readBody(request, ContractLimits.maxPayloadBytes + 1024);
    if (body === null) return refuse(response, 'payload_too_large', 'Arguments too large.');
    let args: unknown;
    try {
      args = JSON.parse(body);
    } catch {
      return refuse(response, 'validation_failed', 'Arguments must be JSON.');
    }
    const channel = pathname.slice(callPrefix.length);
    const result = await options.router.handle(channel, args, { transport: 'http', url: origin });
    sendJson(response, 200, result);
  }

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    // Loopback only: browser mode is for this workstation, never the network.
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  expectedHost = `127.0.0.1:${port}`;
  origin = `http://${expectedHost}`;
  cookieName = `${BrowserTransport.cookiePrefix}${port}`;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    async close() {
      streams.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    },
  };
}

function refuse(response: ServerResponse, code: ErrorCode, message: string): void {
  sendJson(response, httpStatusOf[code], fail(code, message));
}

function sendJson(response: ServerResponse, status: number, result: Result<unknown>): void {
  const body = JSON.stringify(result);
  response.writeHead(status, {
    ...pageSecurityHeaders,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** Reads a body up to `limit` bytes; null when it is larger (the rest is not buffered). */
function readBody(request: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolveBody, rejectBody) => {
    const declared = Number(request.headers['content-length'] ?? '0');
    if (declared > limit) {
      request.resume();
      resolveBody(null);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    request.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        resolveBody(null);
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!done) resolveBody(Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', rejectBody);
  });
}

/** The value of cookie `name` in a Cookie header, if present. */
function sessionCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}
