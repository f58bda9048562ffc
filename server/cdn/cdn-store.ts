/**
 * Where big parts live (docs/ARCHITECTURE.md §The Factory API): an object store behind one small
 * interface. The local directory implementation is the default; an S3-compatible
 * store can implement the same four methods later.
 */
import type { Readable } from 'node:stream';

/** An object's name: server-made, `[a-z0-9_]` segments joined by `/`, safe as a path. */
export const CDN_OBJECT_PATTERN = /^[a-z0-9_]{1,64}(\/[a-z0-9_.]{1,64}){0,2}$/;

export interface CdnStore {
  /** Stores `source` whole under `name` (the object appears complete or not at all); returns its size. */
  put(name: string, source: AsyncIterable<Uint8Array>): Promise<number>;
  /** Size of the object, or undefined when it does not exist. */
  size(name: string): Promise<number | undefined>;
  /** Bytes `start..end` inclusive of the object, as a stream. */
  read(name: string, start: number, end: number): Readable;
  delete(name: string): Promise<void>;
}
