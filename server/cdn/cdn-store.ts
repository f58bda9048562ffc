/**
 * Where big parts live (docs/ARCHITECTURE.md §The Factory API): an object store behind one small
 * interface — the local directory (default, local-cdn.store.ts) or an S3-compatible
 * bucket (s3-cdn.store.ts, docs/SERVER.md §The CDN on S3).
 */
import type { Readable } from 'node:stream';

/** An object's name: server-made, `[a-z0-9_]` segments joined by `/`, safe as a path. */
export const CDN_OBJECT_PATTERN = /^[a-z0-9_]{1,64}(\/[a-z0-9_.]{1,64}){0,2}$/;

/** The store's state for `/ready`, the posture checklist and `factory-api doctor`. */
export interface CdnHealth {
  ok: boolean;
  /** One line, without credentials: where the store is and what is wrong, if anything. */
  detail: string;
  /** Why it is not ok: the store's configuration is wrong, or it does not answer. */
  reason?: 'config' | 'unreachable';
  /** The variable to fix when not ok. */
  variable?: string;
}

/** Retention of big parts against deletion (S3 object lock), for the posture checklist. */
export interface CdnRetention {
  /** `on`: big parts are locked; `off`: not asked for; `unsupported`: asked for, the bucket cannot. */
  state: 'on' | 'off' | 'unsupported';
  detail: string;
}

/** A download URL handed to a console: absolute (another origin) or a path on the API's origin. */
export interface CdnDownloadUrl {
  url: string;
  expiresAt: Date;
}

export interface CdnStore {
  /** Stores `source` whole under `name` (the object appears complete or not at all); returns its size. */
  put(name: string, source: AsyncIterable<Uint8Array>): Promise<number>;
  /** Size of the object, or undefined when it does not exist. */
  size(name: string): Promise<number | undefined>;
  /** Bytes `start..end` inclusive of the object, as a stream. */
  read(name: string, start: number, end: number): Readable;
  delete(name: string): Promise<void>;
  /** Whether the store answers now (never throws). */
  check(): Promise<CdnHealth>;
  /** Retention of big parts. */
  retention(): CdnRetention;
  /**
   * A URL the console downloads `name` from directly, valid `ttlMs`; undefined = the
   * API's own `/cdn/` route serves it (signed by cdn-url.ts).
   */
  downloadUrl?(name: string, ttlMs: number): Promise<CdnDownloadUrl>;
  /** Releases connections. */
  close?(): void;
}
