/**
 * Bounds on what audit readers hold open (docs/SECURITY.md §Threat model and tests):
 * live tails and exports are counted per credential and in total, and refused beyond
 * the caps (429); a live tail writes only as fast as its client reads (a client that
 * falls more than {@link STREAM_BACKLOG_BYTES} behind, or leaves a write undrained for
 * {@link STREAM_STALL_MS}, is cut off and reconnects with `Last-Event-ID`); a tail replays
 * at most {@link REPLAY_MAX} entries, and ends when its session signs out or its account
 * is disabled, deleted or changes role or password.
 */
import type { ServerResponse } from 'node:http';
import { ErrorCode } from '../../shared/common/errors.ts';
import { ApiError } from '../errors.ts';
import type { AccountChange } from '../auth/account-events.ts';
import type { Principal } from '../types.ts';

/** Live tails per credential (an API key, or one account's sessions) and in all. */
export const STREAMS_PER_CREDENTIAL = 4;
export const STREAMS_TOTAL = 64;
/** Exports running at once per credential and in all. */
export const EXPORTS_PER_CREDENTIAL = 2;
export const EXPORTS_TOTAL = 8;
/** Entries a tail replays on connect (older ones: page `/api/v1/audit` or export). */
export const REPLAY_MAX = 1000;
/** Bytes a tail may queue for a client that does not read before it is cut off. */
export const STREAM_BACKLOG_BYTES = 256 * 1024;
/** How long one write may stay undrained before the tail is cut off. */
export const STREAM_STALL_MS = 30_000;

/** The credential a reader is counted under. */
export function credentialOf(principal: Principal): string {
  return principal.apiKeyId !== undefined ? `key:${principal.apiKeyId}` : `user:${principal.userId}`;
}

/** Open readers by credential, with a cap per credential and a total cap. */
export class ReaderSlots {
  readonly #perCredential: number;
  readonly #total: number;
  readonly #what: string;
  readonly #open = new Map<string, number>();
  #count = 0;

  constructor(what: string, perCredential: number, total: number) {
    this.#what = what;
    this.#perCredential = perCredential;
    this.#total = total;
  }

  get count(): number {
    return this.#count;
  }

  /** Takes a slot or throws 429; returns the release function (idempotent). */
  take(credential: string): () => void {
    const held = this.#open.get(credential) ?? 0;
    if (held >= this.#perCredential) {
      throw new ApiError(
        ErrorCode.RateLimited,
        `too many open ${this.#what} for this credential (at most ${this.#perCredential}): close one first`,
        { 'retry-after': '5' },
      );
    }
    if (this.#count >= this.#total) {
      throw new ApiError(
        ErrorCode.RateLimited,
        `the server has too many open ${this.#what}: try again later`,
        {
          'retry-after': '5',
        },
      );
    }
    this.#open.set(credential, held + 1);
    this.#count += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#count -= 1;
      const left = (this.#open.get(credential) ?? 1) - 1;
      if (left > 0) this.#open.set(credential, left);
      else this.#open.delete(credential);
    };
  }
}

/** Whether an account change ends a reader authenticated as `principal`. */
export function endsReader(principal: Principal, change: AccountChange): boolean {
  if (change.sessionId !== undefined && change.sessionId === principal.sessionId) return true;
  if (change.apiKeyId !== undefined && change.apiKeyId === principal.apiKeyId) return true;
  if (change.userId === undefined || change.userId !== principal.userId) return false;
  return change.keepSessionId === undefined || change.keepSessionId !== principal.sessionId;
}

/**
 * Writes to an event-stream response with backpressure: a write the socket does not
 * take at once is queued, the queue is bounded in bytes, and a client that does not
 * drain it in time is cut off.
 */
export class StreamWriter {
  readonly #raw: ServerResponse;
  #queued = 0;
  #waiting = false;
  #stall: NodeJS.Timeout | undefined;
  #pending: string[] = [];
  readonly #onCut: () => void;

  constructor(raw: ServerResponse, onCut: () => void) {
    this.#raw = raw;
    this.#onCut = onCut;
    raw.on('drain', () => this.#flush());
  }

  /** Whether the socket has not taken the last write yet (replay waits; live entries queue). */
  get congested(): boolean {
    return this.#waiting;
  }

  /** Bytes waiting for the client. */
  get backlog(): number {
    return this.#queued;
  }

  /** Queues `text`; false when the stream was cut off (too far behind, or gone). */
  write(text: string): boolean {
    if (this.#raw.destroyed || this.#raw.writableEnded) return false;
    if (this.#waiting) {
      this.#queued += Buffer.byteLength(text);
      if (this.#queued > STREAM_BACKLOG_BYTES) {
        this.cut();
        return false;
      }
      this.#pending.push(text);
      return true;
    }
    if (!this.#raw.write(text)) this.#startWaiting();
    return true;
  }

  /** Resolves once what was written is taken by the socket (or the stream is gone). */
  async drained(): Promise<void> {
    while (this.#waiting && !this.#raw.destroyed) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.#raw.off('drain', done);
          this.#raw.off('close', done);
          resolve();
        };
        this.#raw.once('drain', done);
        this.#raw.once('close', done);
      });
    }
  }

  cut(): void {
    this.#pending = [];
    this.#queued = 0;
    if (this.#stall) clearTimeout(this.#stall);
    this.#raw.destroy();
    this.#onCut();
  }

  #startWaiting(): void {
    this.#waiting = true;
    if (this.#stall) clearTimeout(this.#stall);
    this.#stall = setTimeout(() => this.cut(), STREAM_STALL_MS);
    this.#stall.unref();
  }

  #flush(): void {
    if (this.#stall) clearTimeout(this.#stall);
    this.#stall = undefined;
    this.#waiting = false;
    while (this.#pending.length > 0) {
      const text = this.#pending.shift() as string;
      this.#queued -= Buffer.byteLength(text);
      if (!this.#raw.write(text)) {
        this.#startWaiting();
        return;
      }
    }
    this.#queued = 0;
  }
}
