/**
 * The console's one Factory API client (docs/ARCHITECTURE.md §One way to the server): the base
 * client's requests (tokens renewed with the rotating refresh token), plus
 * - retries with exponential back-off and jitter for idempotent calls (GET, PUT,
 *   DELETE) on network errors, timeouts and 5xx;
 * - `429` honoured for every call: wait `Retry-After` (up to a ceiling), then retry;
 * - a circuit breaker around everything, so a server that is down fails fast;
 * - the resource and machine calls, with their responses validated.
 *
 * Secrets: no password is kept; the tokens stay inside the base client.
 */
import {
  activateMachineResponseSchema,
  cdnUrlResponseSchema,
  machineListResponseSchema,
  resourceListResponseSchema,
  signedManifestSchema,
  unlockResponseSchema,
  type ActivateMachineResponse,
  type ResourceSummary,
  type SignedManifest,
  type UnlockResponse,
} from '../../../shared/common/api/resources.ts';
import { ErrorCode } from '../../../shared/common/errors.ts';
import { CircuitBreaker, CircuitOpenError, type CircuitBreakerOptions } from './circuit-breaker.ts';
import {
  FactoryApiClient,
  noContentSchema,
  type FactoryApiClientOptions,
  type RequestOptions,
} from './factory-api.client.ts';
import { FactoryApiError } from './factory-api.error.ts';

export interface RetryPolicy {
  /** Retries after the first try (default 3). */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the error is returned (default 60 s). */
  maxRetryAfterS: number;
}

export interface ResilientApiClientOptions extends FactoryApiClientOptions {
  retry?: Partial<RetryPolicy>;
  breaker?: CircuitBreakerOptions;
  /** Injected in tests to observe waits. */
  sleep?: (ms: number) => Promise<void>;
}

const IDEMPOTENT = new Set(['GET', 'PUT', 'DELETE']);

/** A failure that says the server (or the way to it) is in trouble, not that the request was wrong. */
export function isServerFailure(error: unknown): boolean {
  if (!(error instanceof FactoryApiError) || error instanceof CircuitOpenError) return false;
  if (error.code === ErrorCode.Unavailable || error.code === ErrorCode.Timeout) return true;
  return error.status !== undefined && error.status >= 500 && error.code !== ErrorCode.CertificateMismatch;
}

export class ResilientApiClient extends FactoryApiClient {
  readonly breaker: CircuitBreaker;
  readonly #retry: RetryPolicy;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: ResilientApiClientOptions) {
    super(options);
    this.#retry = { retries: 3, baseDelayMs: 200, maxDelayMs: 5_000, maxRetryAfterS: 60, ...options.retry };
    this.breaker = new CircuitBreaker(options.breaker);
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  #backoff(attempt: number): number {
    const ceiling = Math.min(this.#retry.maxDelayMs, this.#retry.baseDelayMs * 2 ** attempt);
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }

  override async send<T>(path: string, options: RequestOptions<T>): Promise<T> {
    const idempotent = IDEMPOTENT.has(options.method ?? 'GET');
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.breaker.run(() => super.send(path, options), isServerFailure);
      } catch (error) {
        if (!(error instanceof FactoryApiError) || options.signal?.aborted) throw error;
        if (attempt >= this.#retry.retries) throw error;
        if (error.status === 429) {
          const waitS = error.retryAfterS ?? this.#backoff(attempt) / 1000;
          if (waitS > this.#retry.maxRetryAfterS) throw error;
          await this.#sleep(waitS * 1000);
          continue;
        }
        if (idempotent && isServerFailure(error)) {
          await this.#sleep(
            error.retryAfterS !== undefined ? error.retryAfterS * 1000 : this.#backoff(attempt),
          );
          continue;
        }
        throw error;
      }
    }
  }

  /** `GET /api/v1/resources`. */
  async listResources(signal?: AbortSignal): Promise<ResourceSummary[]> {
    return (await this.send('/api/v1/resources', { schema: resourceListResponseSchema, signal })).resources;
  }

  /** `GET /api/v1/resources/:id/manifest` (the caller verifies the signature). */
  getManifest(id: string, signal?: AbortSignal): Promise<SignedManifest> {
    return this.send(`/api/v1/resources/${encodeURIComponent(id)}/manifest`, {
      schema: signedManifestSchema,
      signal,
    });
  }

  /** `POST /api/v1/resources/:id/unlock`: envelope, CDN URL, manifest and lease for this machine. */
  unlock(id: string, machineId: string, signal?: AbortSignal): Promise<UnlockResponse> {
    return this.send(`/api/v1/resources/${encodeURIComponent(id)}/unlock`, {
      method: 'POST',
      body: { machine_id: machineId },
      schema: unlockResponseSchema,
      signal,
    });
  }

  /** A fresh CDN URL after the previous one expired. */
  cdnUrl(id: string, machineId: string, signal?: AbortSignal) {
    return this.send(`/api/v1/resources/${encodeURIComponent(id)}/cdn-url`, {
      method: 'POST',
      body: { machine_id: machineId },
      schema: cdnUrlResponseSchema,
      signal,
    });
  }

  /** `POST /api/v1/machines`. */
  activateMachine(input: {
    hwHash: string;
    publicKey: string;
    label: string;
  }): Promise<ActivateMachineResponse> {
    return this.send('/api/v1/machines', {
      method: 'POST',
      body: { hw_hash: input.hwHash, public_key: input.publicKey, label: input.label },
      schema: activateMachineResponseSchema,
    });
  }

  async listMachines() {
    return (await this.send('/api/v1/machines', { schema: machineListResponseSchema })).machines;
  }

  async deactivateMachine(machineId: string): Promise<void> {
    await this.send(`/api/v1/machines/${encodeURIComponent(machineId)}`, {
      method: 'DELETE',
      schema: noContentSchema,
    });
  }
}
