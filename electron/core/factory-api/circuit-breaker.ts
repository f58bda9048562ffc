/**
 * A circuit breaker (closed → open → half-open): after `failureThreshold`
 * consecutive failures the circuit opens and calls fail fast for `openMs`; then one
 * trial call is let through (half-open): success closes the circuit, failure opens
 * it again. It keeps a console from hammering a server that is down.
 */
import { ErrorCode } from '../../../shared/common/errors.ts';
import { FactoryApiError } from './factory-api.error.ts';

export const BreakerState = { Closed: 'closed', Open: 'open', HalfOpen: 'half-open' } as const;
export type BreakerState = (typeof BreakerState)[keyof typeof BreakerState];

/** The breaker refused a call without trying it (not worth retrying until it half-opens). */
export class CircuitOpenError extends FactoryApiError {
  constructor(waitS: number) {
    super(
      ErrorCode.Unavailable,
      `The Factory API failed repeatedly; not trying again for about ${waitS} s (circuit open).`,
      {},
    );
    this.name = 'CircuitOpenError';
  }
}

export interface CircuitBreakerOptions {
  failureThreshold?: number;
  openMs?: number;
  now?: () => number;
  onStateChange?: (state: BreakerState) => void;
}

export class CircuitBreaker {
  readonly #threshold: number;
  readonly #openMs: number;
  readonly #now: () => number;
  readonly #onChange: ((state: BreakerState) => void) | undefined;
  #state: BreakerState = BreakerState.Closed;
  #failures = 0;
  #openedAt = 0;
  #trialInFlight = false;

  constructor(options: CircuitBreakerOptions = {}) {
    this.#threshold = options.failureThreshold ?? 5;
    this.#openMs = options.openMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    this.#onChange = options.onStateChange;
  }

  get state(): BreakerState {
    if (this.#state === BreakerState.Open && this.#now() - this.#openedAt >= this.#openMs)
      this.#set(BreakerState.HalfOpen);
    return this.#state;
  }

  /** Runs `call` through the breaker; `isFailure` says which errors count (default: all). */
  async run<T>(call: () => Promise<T>, isFailure: (error: unknown) => boolean = () => true): Promise<T> {
    const state = this.state;
    if (state === BreakerState.Open || (state === BreakerState.HalfOpen && this.#trialInFlight)) {
      const waitS = Math.max(1, Math.ceil((this.#openMs - (this.#now() - this.#openedAt)) / 1000));
      throw new CircuitOpenError(waitS);
    }
    const trial = state === BreakerState.HalfOpen;
    if (trial) this.#trialInFlight = true;
    try {
      const result = await call();
      this.#failures = 0;
      if (this.#state !== BreakerState.Closed) this.#set(BreakerState.Closed);
      return result;
    } catch (error) {
      if (isFailure(error)) {
        this.#failures += 1;
        if (trial || this.#failures >= this.#threshold) {
          this.#openedAt = this.#now();
          this.#set(BreakerState.Open);
        }
      } else {
        // The server answered (a 404, a 403): it is up.
        this.#failures = 0;
        if (this.#state !== BreakerState.Closed) this.#set(BreakerState.Closed);
      }
      throw error;
    } finally {
      if (trial) this.#trialInFlight = false;
    }
  }

  #set(state: BreakerState): void {
    this.#state = state;
    this.#onChange?.(state);
  }
}
