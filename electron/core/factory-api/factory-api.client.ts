/**
 * A small fetch-based client of the Factory API: base URL, bearer token held in
 * memory only, request ids, timeouts, and the server's JSON errors mapped onto the
 * shared error registry. Extension points (certificate pinning, retries,
 * 429 handling, a circuit breaker) wrap {@link FactoryApiClient.send}; keep every
 * request going through it.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { errorResponseSchema } from '../../../shared/common/api/errors.ts';
import {
  healthResponseSchema,
  statusResponseSchema,
  type StatusResponse,
} from '../../../shared/common/api/status.ts';
import { tokenResponseSchema, type TokenResponse } from '../../../shared/common/api/auth.ts';
import { ErrorCode, httpStatusOf } from '../../../shared/common/errors.ts';
import { FactoryApiError } from './factory-api.error.ts';

/** A 204 answer: no body to parse. */
export const noContentSchema = z.undefined();

export interface FactoryApiClientOptions {
  /** e.g. `http://127.0.0.1:8443` — paths are appended to it. */
  baseUrl: string;
  /** Per-request deadline; a slow server must never hang the UI. */
  timeoutMs?: number;
  /** Injected for transports with a pinned certificate; defaults to global fetch. */
  fetch?: typeof fetch;
}

export interface RequestOptions<T> {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** JSON body; serialised here. */
  body?: unknown;
  /** The response is parsed with it: a server that answers something else is an error. */
  schema: z.ZodType<T>;
  /** Send the bearer token (default true when one is held). */
  auth?: boolean;
  signal?: AbortSignal;
}

export class FactoryApiClient {
  readonly baseUrl: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  // Secret: the access token lives only here, in memory; never logged, never sent to the renderer.
  #accessToken: string | null = null;

  constructor(options: FactoryApiClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new Error('The Factory API URL must be http(s).');
    this.baseUrl = url.origin + url.pathname.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  get signedIn(): boolean {
    return this.#accessToken !== null;
  }

  /** Sets or forgets the bearer token (e.g. after an external login or a logout). */
  setAccessToken(token: string | null): void {
    this.#accessToken = token;
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

  /** Signs in with a password and keeps the access token in memory. The caller gets no token back. */
  async login(
    email: string,
    password: string,
  ): Promise<Omit<TokenResponse, 'access_token' | 'refresh_token'>> {
    const response = await this.send('/api/v1/auth/login', {
      method: 'POST',
      body: { email, password, session: 'bearer' },
      schema: tokenResponseSchema,
      auth: false,
    });
    this.#accessToken = response.access_token;
    const { access_token: _access, refresh_token: _refresh, ...rest } = response;
    return rest;
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
    this.#accessToken = null;
    if (held === null) return;
    try {
      await this.#raw('/api/v1/auth/logout', 'POST', {}, held);
    } catch {
      // Best effort: the token is already gone from memory and expires on its own.
    }
  }

  /** One request: adds the request id and token, enforces the timeout, maps errors. */
  async send<T>(path: string, options: RequestOptions<T>): Promise<T> {
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

const codeByStatus = new Map<number, ErrorCode>(
  [
    ErrorCode.BadRequest,
    ErrorCode.Unauthenticated,
    ErrorCode.Forbidden,
    ErrorCode.NotFound,
    ErrorCode.Conflict,
    ErrorCode.PayloadTooLarge,
    ErrorCode.RateLimited,
    ErrorCode.Unavailable,
    ErrorCode.Timeout,
    ErrorCode.Internal,
  ].map((code) => [httpStatusOf[code], code]),
);

/** `Retry-After` in seconds (delta-seconds or an HTTP date); undefined when absent or malformed. */
function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/^\d{1,6}$/.test(header.trim())) return Number(header.trim());
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function errorFromResponse(
  status: number,
  json: unknown,
  requestId: string | undefined,
  retryAfter: string | null = null,
): FactoryApiError {
  const retryAfterS = retryAfterSeconds(retryAfter);
  const parsed = errorResponseSchema.safeParse(json);
  if (parsed.success) {
    return new FactoryApiError(parsed.data.error.code, parsed.data.error.message, {
      status,
      requestId: parsed.data.error.request_id ?? requestId,
      ...(retryAfterS !== undefined ? { retryAfterS } : {}),
    });
  }
  const code = codeByStatus.get(status) ?? (status >= 500 ? ErrorCode.Internal : ErrorCode.BadRequest);
  return new FactoryApiError(code, `The Factory API answered HTTP ${status}.`, {
    status,
    requestId,
    ...(retryAfterS !== undefined ? { retryAfterS } : {}),
  });
}
