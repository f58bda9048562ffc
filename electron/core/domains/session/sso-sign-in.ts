/**
 * Single sign-on from a native app (RFC 8252; docs/IDENTITY.md §The console's loopback hop):
 * the console listens on 127.0.0.1 at a random port, asks the server to start with that
 * loopback URL and the S256 challenge of a verifier only it knows, and has the system
 * browser open the provider. The person signs in there — the console never sees the
 * provider's password or tokens — and the server sends the browser back here with a
 * one-time code, which only this verifier redeems. Desktop, browser mode and the CLI
 * share this; they differ only in how the URL is opened.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import type { FactoryApiClient } from '../../factory-api/factory-api.client.ts';
import { ConsoleError } from '../../platform/console-error.ts';

/** How the URL reaches a browser: `shell.openExternal`, a new tab, a line on the terminal. */
export type UrlOpener = (url: string) => void | Promise<void>;

export interface SsoSignInOptions {
  client: FactoryApiClient;
  /** Undefined: nobody opens it here (browser mode: the tab that asked opens it). */
  open?: UrlOpener;
  /** How long the person has at the provider (default 5 minutes). */
  timeoutMs?: number;
}

export interface PendingSsoSignIn {
  authorizationUrl: string;
  /** Whether {@link SsoSignInOptions.open} opened it. */
  opened: boolean;
  /** Settles when the browser came back and the code was redeemed (or on refusal, timeout, cancel). */
  result: Promise<{ email: string; role: string }>;
  cancel(): void;
}

const PAGE = (title: string, line: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title>` +
  `<body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${line}</p></body>`;

/** Error descriptions the server sends (reason codes), shown as they are; anything else is not. */
const REASON = /^[a-z_]{1,40}$/;

export async function startSsoSignIn(options: SsoSignInOptions): Promise<PendingSsoSignIn> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(16).toString('base64url');
  let settle!: { resolve: (code: string) => void; reject: (error: Error) => void };
  const code = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  code.catch(() => undefined);

  // Loopback input: anyone on this machine can send it; only our state is listened to.
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const headers = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };
    if (request.method !== 'GET' || url.pathname !== '/callback' || url.searchParams.get('state') !== state) {
      response
        .writeHead(404, headers)
        .end(PAGE('Not found', 'This is the Factory Console waiting for a sign-in.'));
      return;
    }
    const error = url.searchParams.get('error');
    const received = url.searchParams.get('code');
    if (error !== null || received === null) {
      const reason = url.searchParams.get('error_description') ?? error ?? 'no code';
      response
        .writeHead(200, headers)
        .end(PAGE('Sign-in refused', 'Single sign-on did not complete. Go back to the console.'));
      settle.reject(
        new ConsoleError(
          ErrorCode.Unauthenticated,
          `Single sign-on was refused${REASON.test(reason) ? ` (${reason})` : ''}: ask your administrator, or try again.`,
        ),
      );
      return;
    }
    response
      .writeHead(200, headers)
      .end(PAGE('Signed in', 'You are signed in to the Factory Console. You can close this tab.'));
    settle.resolve(received);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const close = () => {
    server.closeAllConnections();
    server.close();
  };
  const returnTo = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;

  let authorizationUrl: string;
  try {
    authorizationUrl = await options.client.startSso({ returnTo, codeChallenge: challenge, state });
  } catch (error) {
    close();
    throw error;
  }
  const timer = setTimeout(
    () =>
      settle.reject(
        new ConsoleError(ErrorCode.Timeout, 'Single sign-on took too long: start it again from the console.'),
      ),
    options.timeoutMs ?? 5 * 60_000,
  );
  timer.unref();
  const result = code
    .then(async (received) => {
      const session = await options.client.exchangeSsoCode(received, verifier);
      return { email: session.user.email, role: session.user.role };
    })
    .finally(() => {
      clearTimeout(timer);
      close();
    });
  result.catch(() => undefined);

  let opened = false;
  if (options.open) {
    try {
      await options.open(authorizationUrl);
      opened = true;
    } catch {
      opened = false; // the caller shows the URL instead
    }
  }
  return {
    authorizationUrl,
    opened,
    result,
    cancel: () => settle.reject(new ConsoleError(ErrorCode.Cancelled, 'Single sign-on was cancelled.')),
  };
}
