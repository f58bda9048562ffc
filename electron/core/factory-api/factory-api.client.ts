/**
 * A small fetch-based client of the Factory API: base URL, bearer token held in
 * memory only, request ids, timeouts, and the server's JSON errors mapped onto the
 * shared error registry. Extension points (certificate pinning, retries,
 * 429 handling, a circuit breaker) wrap {@link FactoryApiClient.send}; keep every
 * request going through it.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  healthResponseSchema,
  statusResponseSchema,
  type StatusResponse,
} from '../../../shared/common/api/status.ts';
import { tokenResponseSchema, type TokenResponse } from '../../../shared/common/api/auth.ts';
import {
  authMethodsResponseSchema,
  oidcStartResponseSchema,
  type AuthMethodsResponse,
  mfaChallengeResponseSchema,
  webauthnAssertionOptionsResponseSchema,
  type MfaMethodName,
} from '../../../shared/common/api/identity.ts';
import { ErrorCode } from '../../../shared/common/errors.ts';
import { errorFromResponse } from './error-response.ts';
import { FactoryApiError } from './factory-api.error.ts';

/** What `/login` answers: tokens, or (an account with a second factor) the next step. */
const loginAnswerSchema = z.union([tokenResponseSchema, mfaChallengeResponseSchema]);

/** The second step of a sign-in: a code, or a passkey's assertion (`@simplewebauthn/browser`). */
export type SecondFactor =
  { method: 'totp' | 'recovery'; code: string } | { method: 'webauthn'; assertion: Record<string, unknown> };

/** What a password sign-in led to: signed in, or the server asks for a second factor. */
export type LoginOutcome =
  | { status: 'signed_in'; response: Omit<TokenResponse, 'access_token' | 'refresh_token'> }
  | { status: 'mfa_required'; methods: MfaMethodName[] };

/** The server's `mfa_token` lives five minutes; the client forgets it a little sooner. */
const PENDING_SIGN_IN_MS = 4.5 * 60_000;

/** A 204 answer: no body to parse. */
export const noContentSchema = z.undefined();

export interface FactoryApiClientOptions {
  /** e.g. `http://127.0.0.1:8443` — paths are appended to it. */
  baseUrl: string;
  /** Per-request deadline; a slow server must never hang the UI. */
  timeoutMs?: number;
  /** Injected for transports with a pinned certificate; defaults to global fetch. */
  fetch?: typeof fetch;
  /** The clock the token expiry is measured on (tests advance it). */
  now?: () => number;
}

/** Renew the access token this long before it expires (the server's tokens live 15 minutes). */
export const REFRESH_MARGIN_MS = 60_000;

/** Who is signed in on a client, and until when its access token is good. */
export interface ClientSession {
  user: TokenResponse['user'];
  /** Epoch milliseconds at which the access token expires. */
  expiresAt: number;
}

export interface RequestOptions<T> {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** JSON body; serialised here. */
  body?: unknown;
  /** The response is parsed with it: a server that answers something else is an error. */
  schema: z.ZodType<T>;
  /** Send the bearer token (default true when one is held). */
  auth?: boolean;
  /**
   * Default true: a 401 is answered by one refresh and one more try. False where a 401
   * means the proof sent was refused (a step-up's code): sending it again would only
   * count another failure.
   */
  refreshOn401?: boolean;
  signal?: AbortSignal;
}

export class FactoryApiClient {
  readonly baseUrl: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  // Secrets: the access and refresh tokens live only here, in memory; never logged, never sent to the renderer.
  #accessToken: string | null = null;
  #refreshToken: string | null = null;
  #session: ClientSession | null = null;
  #refreshing: Promise<boolean> | null = null;
  // Secret: the pending sign-in's single-use mfa_token (and a step-up's), here only; never logged or sent to the renderer.
  #pendingSignIn: { token: string; methods: MfaMethodName[]; until: number } | null = null;
  #stepUpToken: string | null = null;
  readonly #listeners = new Set<(session: ClientSession | null) => void>();

  constructor(options: FactoryApiClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new Error('The Factory API URL must be http(s).');
    this.baseUrl = url.origin + url.pathname.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#now = options.now ?? Date.now;
  }

  /** A token is held and has not expired (a refresh renews it; a failed refresh signs out). */
  get signedIn(): boolean {
    return this.#accessToken !== null && this.#session !== null && this.#session.expiresAt > this.#now();
  }

  /** Who is signed in and until when, or null. */
  get session(): ClientSession | null {
    return this.signedIn ? this.#session : null;
  }

  /** Called with the new session after a sign-in or a refresh, and with null when it ends. */
  onSessionChange(listener: (session: ClientSession | null) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #adopt(response: TokenResponse): Omit<TokenResponse, 'access_token' | 'refresh_token'> {
    this.#accessToken = response.access_token;
    this.#refreshToken = response.refresh_token;
    this.#session = { user: response.user, expiresAt: this.#now() + response.expires_in * 1000 };
    for (const listener of this.#listeners) listener(this.#session);
    const { access_token: _access, refresh_token: _refresh, ...rest } = response;
    return rest;
  }

  #forget(): void {
    const had = this.#accessToken !== null;
    this.#pendingSignIn = null;
    this.#stepUpToken = null;
    this.#accessToken = null;
    this.#refreshToken = null;
    this.#session = null;
    if (had) for (const listener of this.#listeners) listener(null);
  }

  /** The access token is due for renewal (within {@link REFRESH_MARGIN_MS} of expiry, or past it). */
  get refreshDue(): boolean {
    return this.#session !== null && this.#session.expiresAt - REFRESH_MARGIN_MS <= this.#now();
  }

  /**
   * Renews the access token with the rotating refresh token (one request in flight,
   * however many callers). False, and signed out, when the server refuses it (the
   * session was revoked, the account disabled, the token reused or expired); a
   * network failure keeps the tokens for a later try and rethrows.
   */
  refresh(): Promise<boolean> {
    if (this.#refreshToken === null) return Promise.resolve(false);
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #refresh(): Promise<boolean> {
    const presented = this.#refreshToken;
    if (presented === null) return false;
    let response: TokenResponse;
    try {
      response = await this.#sendOnce('/api/v1/auth/refresh', {
        method: 'POST',
        body: { refresh_token: presented },
        schema: tokenResponseSchema,
        auth: false,
      });
    } catch (error) {
      if (error instanceof FactoryApiError && (error.status === 401 || error.status === 403)) {
        if (this.#refreshToken === presented) this.#forget();
        return false;
      }
      throw error;
    }
    if (this.#refreshToken !== presented) return this.signedIn; // signed out or in again meanwhile
    this.#adopt(response);
    return true;
  }

  /** `GET /api/v1/status` (viewer and up): mode, debug, version, posture. */
  getStatus(signal?: AbortSignal): Promise<StatusResponse> {
    return this.send('/api/v1/status', { schema: statusResponseSchema, signal });
  }

  /** `GET /health`: public liveness, for when status needs a sign-in. */
  async isHealthy(signal?: AbortSignal): Promise<boolean> {
    await this.send('/health', { schema: healthResponseSchema, auth: false, signal });
    return true;
  }

  /**
   * The first step of a sign-in: the password. Signed in, or (an account with a second
   * factor) a pending sign-in whose single-use token this client keeps for
   * {@link verifySecondFactor}. The caller never gets a token back.
   */
  async beginLogin(email: string, password: string): Promise<LoginOutcome> {
    this.#pendingSignIn = null;
    const response = await this.send('/api/v1/auth/login', {
      method: 'POST',
      body: { email, password, session: 'bearer' },
      schema: loginAnswerSchema,
      auth: false,
    });
    if ('mfa_required' in response) {
      this.#pendingSignIn = {
        token: response.mfa_token,
        methods: response.methods,
        until: this.#now() + PENDING_SIGN_IN_MS,
      };
      return { status: 'mfa_required', methods: response.methods };
    }
    return { status: 'signed_in', response: this.#adopt(response) };
  }

  /** The methods of the sign-in waiting for its second factor, or null. */
  get pendingSecondFactor(): MfaMethodName[] | null {
    if (this.#pendingSignIn !== null && this.#pendingSignIn.until <= this.#now()) this.#pendingSignIn = null;
    return this.#pendingSignIn?.methods ?? null;
  }

  /** Forgets a pending sign-in (the operator went back to the password). */
  cancelSecondFactor(): void {
    this.#pendingSignIn = null;
  }

  #pendingToken(): string {
    if (this.pendingSecondFactor === null || this.#pendingSignIn === null) {
      throw new FactoryApiError(
        ErrorCode.Unauthenticated,
        'This sign-in expired or was finished: sign in again with the password.',
        {},
      );
    }
    return this.#pendingSignIn.token;
  }

  /** Passkey options for the pending sign-in (the server binds the challenge to its token). */
  async secondFactorOptions(): Promise<Record<string, unknown>> {
    const response = await this.send('/api/v1/auth/mfa/webauthn/options', {
      method: 'POST',
      body: { mfa_token: this.#pendingToken() },
      schema: webauthnAssertionOptionsResponseSchema,
      auth: false,
    });
    return response.options;
  }

  /**
   * The second step: a wrong code leaves the sign-in pending (another try, within the
   * lock-out); a sign-in the server no longer knows is forgotten here too.
   */
  async verifySecondFactor(
    factor: SecondFactor,
  ): Promise<Omit<TokenResponse, 'access_token' | 'refresh_token'>> {
    const token = this.#pendingToken();
    let response: TokenResponse;
    try {
      response = await this.send('/api/v1/auth/mfa/verify', {
        method: 'POST',
        body: { mfa_token: token, ...factor },
        schema: tokenResponseSchema,
        auth: false,
      });
    } catch (error) {
      if (error instanceof FactoryApiError && /sign in again/.test(error.message)) this.#pendingSignIn = null;
      throw error;
    }
    this.#pendingSignIn = null;
    return this.#adopt(response);
  }

  /** `GET /api/v1/auth/methods`: whether the server offers single sign-on and password sign-in. */
  async authMethods(signal?: AbortSignal): Promise<AuthMethodsResponse> {
    return this.send('/api/v1/auth/methods', { schema: authMethodsResponseSchema, auth: false, signal });
  }

  /**
   * Starts single sign-on (docs/IDENTITY.md §The console's loopback hop): the server answers
   * with the provider's URL for the browser, and will send the browser back to `returnTo`.
   */
  async startSso(input: { returnTo: string; codeChallenge: string; state: string }): Promise<string> {
    const response = await this.send('/api/v1/auth/oidc/start', {
      method: 'POST',
      body: { return_to: input.returnTo, code_challenge: input.codeChallenge, state: input.state },
      schema: oidcStartResponseSchema,
      auth: false,
    });
    return response.authorization_url;
  }

  /** Redeems the loopback redirect's one-time code with this console's PKCE verifier, and signs in. */
  async exchangeSsoCode(
    code: string,
    codeVerifier: string,
  ): Promise<Omit<TokenResponse, 'access_token' | 'refresh_token'>> {
    const response = await this.send('/api/v1/auth/oidc/exchange', {
      method: 'POST',
      body: { code, code_verifier: codeVerifier },
      schema: loginAnswerSchema,
      auth: false,
    });
    if ('mfa_required' in response) {
      // Single sign-on does not skip the second factor: the sign-in waits for it, as after a password.
      this.#pendingSignIn = {
        token: response.mfa_token,
        methods: response.methods,
        until: this.#now() + PENDING_SIGN_IN_MS,
      };
      throw new FactoryApiError(
        ErrorCode.Unauthenticated,
        'This account has a second factor: confirm the sign-in with it (the console’s Sign in view).',
        {},
      );
    }
    return this.#adopt(response);
  }

  /**
   * Signs in with a password and keeps the access token in memory. An account with a
   * second factor needs `code` (TOTP, or a recovery code `xxxx-xxxx-xxxx-xxxx`): asked
   * for only when the server wants one. The caller gets no token back.
   */
  async login(
    email: string,
    password: string,
    options: { code?: string | (() => Promise<string>) } = {},
  ): Promise<Omit<TokenResponse, 'access_token' | 'refresh_token'>> {
    const outcome = await this.beginLogin(email, password);
    if (outcome.status === 'signed_in') return outcome.response;
    if (options.code === undefined || !outcome.methods.some((method) => method !== 'webauthn')) {
      this.#pendingSignIn = null;
      throw new FactoryApiError(
        ErrorCode.Unauthenticated,
        outcome.methods.includes('totp')
          ? 'This account signs in with a second factor, which this sign-in cannot ask for: use the console’s Sign in view, or factory-console login --code.'
          : 'This account signs in with a passkey: sign in from the console window.',
        {},
      );
    }
    const code = (typeof options.code === 'string' ? options.code : await options.code()).trim();
    return this.verifySecondFactor({ method: /^\d{6,8}$/.test(code) ? 'totp' : 'recovery', code });
  }

  /**
   * Step-up: proves again that the signed-in person is there (`POST /api/v1/auth/reauth`),
   * with the password (an account without a factor) or a factor. A passkey needs
   * {@link stepUpOptions} first; its token stays here.
   */
  async reauth(proof: { password: string } | SecondFactor): Promise<{ validUntil: string }> {
    let body: Record<string, unknown> = proof;
    if ('method' in proof && proof.method === 'webauthn') {
      const token = this.#stepUpToken;
      if (token === null)
        throw new FactoryApiError(ErrorCode.BadRequest, 'Ask for the passkey first, then confirm.', {});
      this.#stepUpToken = null;
      body = { method: 'webauthn', mfa_token: token, assertion: proof.assertion };
    }
    const response = await this.send('/api/v1/auth/reauth', {
      method: 'POST',
      body,
      schema: z.object({ valid_until: z.string() }),
      refreshOn401: false,
    });
    return { validUntil: response.valid_until };
  }

  /** Passkey options for a step-up. */
  async stepUpOptions(): Promise<Record<string, unknown>> {
    const response = await this.send('/api/v1/auth/reauth/webauthn/options', {
      method: 'POST',
      schema: webauthnAssertionOptionsResponseSchema,
    });
    this.#stepUpToken = response.mfa_token;
    return response.options;
  }

  /** Forgets the token locally; the server-side logout is best effort. */
  /**
   * Tells the server (audit) that a resource was exported to a file on this machine.
   * Here rather than in the resilient client: the console's signed-in session reports too.
   */
  async reportExport(
    id: string,
    input: { machineId: string; exportedAt: string; offline: boolean },
  ): Promise<void> {
    await this.send(`/api/v1/resources/${encodeURIComponent(id)}/exports`, {
      method: 'POST',
      body: { machine_id: input.machineId, exported_at: input.exportedAt, offline: input.offline },
      schema: noContentSchema,
    });
  }

  async logout(): Promise<void> {
    const held = this.#accessToken;
    const refresh = this.#refreshToken;
    this.#forget();
    if (held === null) return;
    try {
      // The refresh token goes too, so the server revokes the whole session.
      await this.#raw('/api/v1/auth/logout', 'POST', refresh ? { refresh_token: refresh } : {}, held);
    } catch {
      // Best effort: the tokens are already gone from memory and expire on their own.
    }
  }

  /**
   * One request: adds the request id and token, enforces the timeout, maps errors. An
   * access token due for renewal is refreshed first, and a 401 on an authenticated
   * call is answered by one refresh and one more try.
   */
  async send<T>(path: string, options: RequestOptions<T>): Promise<T> {
    if (options.auth === false || this.#refreshToken === null) return this.#sendOnce(path, options);
    if (this.refreshDue) await this.refresh();
    try {
      return await this.#sendOnce(path, options);
    } catch (error) {
      // reauth_required is not an expired token: a refresh would not help (the caller steps up).
      if (
        !(error instanceof FactoryApiError) ||
        error.status !== 401 ||
        error.code === ErrorCode.ReauthRequired ||
        options.refreshOn401 === false ||
        this.#refreshToken === null
      )
        throw error;
      if (!(await this.refresh())) throw error;
      return this.#sendOnce(path, options);
    }
  }

  async #sendOnce<T>(path: string, options: RequestOptions<T>): Promise<T> {
    const token = options.auth === false ? null : this.#accessToken;
    const response = await this.#raw(path, options.method ?? 'GET', options.body, token, options.signal);
    const requestId = response.headers.get('x-request-id') ?? undefined;
    const text = await response.text();
    let json: unknown = undefined;
    if (text.length > 0) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    if (!response.ok)
      throw errorFromResponse(response.status, json, requestId, response.headers.get('retry-after'));
    const parsed = options.schema.safeParse(json);
    if (!parsed.success) {
      throw new FactoryApiError(ErrorCode.Internal, 'The Factory API answered in an unexpected shape.', {
        status: response.status,
        requestId,
      });
    }
    return parsed.data;
  }

  /**
   * A request whose body is not one JSON document (the `/metrics` text, the JSONL
   * export, the SSE tail): same token, request id and error mapping as {@link send};
   * the caller reads the body. `timeout: false` for streams that stay open.
   */
  async open(path: string, options: { signal?: AbortSignal; timeout?: boolean } = {}): Promise<Response> {
    if (this.refreshDue) await this.refresh();
    const response = await this.#raw(
      path,
      'GET',
      undefined,
      this.#accessToken,
      options.signal,
      options.timeout !== false,
    );
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    throw errorFromResponse(
      response.status,
      json,
      response.headers.get('x-request-id') ?? undefined,
      response.headers.get('retry-after'),
    );
  }

  async #raw(
    path: string,
    method: string,
    body: unknown,
    token: string | null,
    signal?: AbortSignal,
    withTimeout = true,
  ): Promise<Response> {
    if (!path.startsWith('/')) throw new Error('API paths start with /');
    const requestId = randomUUID();
    const headers: Record<string, string> = { accept: 'application/json', 'x-request-id': requestId };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token !== null) headers.authorization = `Bearer ${token}`;
    // Streams that stay open (the SSE tail) pass withTimeout=false and their own signal.
    const timeout = withTimeout ? AbortSignal.timeout(this.#timeoutMs) : new AbortController().signal;
    try {
      return await this.#fetch(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        redirect: 'error',
      });
    } catch (error) {
      // A transport's own verdict (e.g. a certificate that is not the pinned one) keeps its code.
      if (error instanceof FactoryApiError) throw error;
      if (timeout.aborted) {
        throw new FactoryApiError(
          ErrorCode.Timeout,
          `The Factory API did not answer within ${this.#timeoutMs} ms.`,
          {
            requestId,
          },
        );
      }
      if (signal?.aborted)
        throw new FactoryApiError(ErrorCode.Cancelled, 'The request was cancelled.', { requestId });
      const reason =
        error instanceof Error && error.cause instanceof Error ? error.cause.message : 'network error';
      throw new FactoryApiError(
        ErrorCode.Unavailable,
        `Cannot reach the Factory API at ${this.baseUrl} (${reason}).`,
        {
          requestId,
        },
      );
    }
  }
}
