/**
 * A real OpenID provider for the tests: `oidc-provider` (a certified implementation) on a
 * loopback port, with its own RSA keys, one confidential client (PKCE required) and
 * accounts the test defines. Its development login and consent pages are driven by
 * {@link BrowserAgent} with plain HTTP requests and a cookie jar, the way a browser would.
 *
 * For the refusals a hostile or broken provider could produce, `tamper` rewrites the ID
 * token of the next token responses and signs it again with the provider's own key (or
 * a foreign one): a wrong audience, a wrong nonce, an expired token, a replayed token.
 * `rotateKeys()` starts signing with a new key under a new `kid`, as a provider's
 * scheduled rotation does.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';

export interface TestIdpAccount {
  email?: string;
  email_verified?: boolean;
  groups?: string[];
  amr?: string[];
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** `login` (the subject) → claims; set before the browser signs in. */
  accounts: Map<string, TestIdpAccount>;
  /** Rewrites the next ID tokens (null: leave them). Gets the token's claims; returns the claims to sign. */
  tamper: ((claims: Record<string, unknown>) => Record<string, unknown>) | null;
  /** Replace the whole ID token (a replay of an earlier one). */
  replaceIdToken: string | null;
  /** Sign the tampered token with a key the provider never published. */
  signWithForeignKey: boolean;
  /** Every ID token issued, in order. */
  issued: string[];
  /** How often the provider's JWK set was fetched. */
  jwksFetches: number;
  /** Publishes a new signing key (first, so it signs) beside the old one; returns its kid. */
  rotateKeys(): Promise<string>;
  close(): Promise<void>;
}

async function signingKey(kid: string): Promise<{ jwk: JWK; privateKey: CryptoKey }> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  return { jwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' }, privateKey };
}

export async function startTestIdp(options: { redirectUris: string[] }): Promise<TestIdp> {
  let handler: http.RequestListener = (_request, response) => response.writeHead(503).end();
  const server = http.createServer((request, response) => handler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let keys = [await signingKey('key-1')];
  const foreign = await signingKey('key-1');
  const idp: TestIdp = {
    issuer,
    clientId: 'factory-console',
    clientSecret: 'test-client-secret-that-is-long-enough-0123456789',
    accounts: new Map(),
    tamper: null,
    replaceIdToken: null,
    signWithForeignKey: false,
    issued: [],
    jwksFetches: 0,
    async rotateKeys() {
      const next = await signingKey(`key-${keys.length + 1}`);
      keys = [next, ...keys];
      build();
      return next.jwk.kid!;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  function build(): void {
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: idp.clientId,
          client_secret: idp.clientSecret,
          redirect_uris: options.redirectUris,
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      jwks: { keys: keys.map((key) => key.jwk) },
      cookies: { keys: ['test-idp-cookie-key-0123456789abcdef'] },
      claims: {
        openid: ['sub'],
        email: ['email', 'email_verified'],
        groups: ['groups'],
        amr: ['amr'],
      },
      scopes: ['openid', 'email', 'profile', 'groups'],
      conformIdTokenClaims: false,
      pkce: { required: () => true },
      ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
      features: { devInteractions: { enabled: true } },
      async findAccount(_ctx, sub) {
        const account = idp.accounts.get(sub);
        if (!account) return undefined;
        return { accountId: sub, claims: () => ({ sub, ...account }) };
      },
    });
    provider.use(async (ctx, next) => {
      if (ctx.path === '/jwks') idp.jwksFetches += 1;
      await next();
      if (ctx.path !== '/token' || ctx.status !== 200) return;
      const body = ctx.body as { id_token?: string };
      if (typeof body.id_token !== 'string') return;
      if (idp.replaceIdToken !== null) {
        body.id_token = idp.replaceIdToken;
      } else if (idp.tamper !== null || idp.signWithForeignKey) {
        const claims = (idp.tamper ?? ((value) => value))({ ...decodeJwt(body.id_token) });
        const key = idp.signWithForeignKey ? foreign : keys[0]!;
        body.id_token = await new SignJWT(claims)
          .setProtectedHeader({ alg: 'RS256', kid: key.jwk.kid!, typ: 'JWT' })
          .sign(key.privateKey);
      }
      idp.issued.push(body.id_token);
    });
    handler = provider.callback();
  }
  build();
  return idp;
}

/**
 * A browser without a window: follows redirects by hand, keeps cookies, fills the
 * provider's login and consent forms. `stop` ends the walk at a URL (the Factory API's
 * callback, or a console's loopback) and returns it without requesting it.
 */
export class BrowserAgent {
  readonly #cookies = new Map<string, Map<string, string>>();

  #cookieHeader(url: URL): string {
    const jar = this.#cookies.get(url.host);
    return jar ? [...jar].map(([name, value]) => `${name}=${value}`).join('; ') : '';
  }

  #keep(url: URL, response: Response): void {
    const jar = this.#cookies.get(url.host) ?? new Map<string, string>();
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    this.#cookies.set(url.host, jar);
  }

  async #request(url: URL, body?: URLSearchParams): Promise<Response> {
    const response = await fetch(url, {
      method: body ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: this.#cookieHeader(url),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(body ? { body } : {}),
    });
    this.#keep(url, response);
    return response;
  }

  /**
   * Signs in at the provider as `login` (typing `password` into its page) and returns the
   * first URL `stop` accepts. Throws on a page it cannot go on from.
   */
  async signIn(start: string, login: string, password: string, stop: (url: URL) => boolean): Promise<URL> {
    let url = new URL(start);
    let body: URLSearchParams | undefined;
    for (let step = 0; step < 20; step += 1) {
      if (stop(url)) return url;
      const response = await this.#request(url, body);
      body = undefined;
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        url = new URL(location, url);
        continue;
      }
      const html = await response.text();
      const form = /<form[^>]*action="([^"]+)"[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
      if (response.status !== 200 || !form) {
        throw new Error(`the provider answered ${response.status} at ${url.pathname}: ${html.slice(0, 300)}`);
      }
      body = new URLSearchParams();
      for (const input of form[2]!.matchAll(/<input[^>]*name="([^"]+)"(?:[^>]*value="([^"]*)")?[^>]*>/g)) {
        const name = input[1]!;
        if (name === 'login') body.set(name, login);
        else if (name === 'password') body.set(name, password);
        else body.set(name, input[2] ?? '');
      }
      url = new URL(form[1]!.replaceAll('&amp;', '&'), url);
    }
    throw new Error('too many steps at the provider');
  }
}
