/**
 * The audit log's live subscribers (the SSE tails): each hears every committed entry once,
 * in seq order, whichever instance committed it. This instance's own commits are delivered
 * at once when they follow the last entry delivered; otherwise (another instance appended in
 * between, or a feed signal said so: audit-feed.ts) the entries after the last one
 * delivered are read from the database, one read at a time, in order.
 */
import type { AuditEntry } from '../../shared/common/audit-event.ts';
import type { BuiltEntry } from '../../shared/node/audit/audit-canonical.ts';
import type { AuditFeed } from './audit-feed.ts';
import { rowToEntry, rowToLine, type AuditRow } from './audit.store.ts';

/** A committed entry and its canonical line, as live subscribers get it. */
export type AuditListener = (entry: AuditEntry, line: string) => void;

const READ_LIMIT = 500;

export interface AuditSubscribersOptions {
  rowsAfter(after: number, limit: number): Promise<AuditRow[]>;
  /** Signals of other instances' appends; started with the first subscriber. */
  feed?: AuditFeed;
  /** A newer committed head seen while reading (another instance's entries). */
  onHead(head: { seq: number; hash: string }): void;
  onError?: (error: unknown, what: string) => void;
}

export class AuditSubscribers {
  readonly #options: AuditSubscribersOptions;
  readonly #listeners = new Set<AuditListener>();
  /** The newest seq delivered. */
  #delivered = 0;
  #reading: Promise<void> | undefined;
  #readAgain = false;
  #stopFeed: (() => Promise<void>) | undefined;
  #closed = false;

  constructor(options: AuditSubscribersOptions) {
    this.#options = options;
  }

  /** Entries up to `seq` exist already: subscribers hear of those after it. */
  startAfter(seq: number): void {
    this.#delivered = seq;
  }

  subscribe(listener: AuditListener): () => void {
    this.#listeners.add(listener);
    if (!this.#stopFeed && this.#options.feed && !this.#closed) {
      this.#stopFeed = this.#options.feed(
        () => {
          if (this.#listeners.size > 0) this.#read();
        },
        (error) => this.#options.onError?.(error, 'listening for other instances’ entries'),
      );
    }
    return () => this.#listeners.delete(listener);
  }

  /** Entries this instance has just committed, in order. */
  committed(built: readonly BuiltEntry[]): void {
    const first = built[0];
    if (!first) return;
    if (this.#reading || first.entry.seq > this.#delivered + 1) {
      this.#read();
      return;
    }
    for (const entry of built) this.#deliver(entry.entry, entry.line);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#stopFeed?.();
    await this.#reading;
  }

  #deliver(entry: AuditEntry, line: string): void {
    if (entry.seq <= this.#delivered) return;
    this.#delivered = entry.seq;
    for (const listener of this.#listeners) {
      try {
        listener(entry, line);
      } catch (error) {
        // A broken subscriber (a dead SSE socket) must not strand the rest of the batch.
        this.#options.onError?.(error, 'notifying a subscriber');
      }
    }
  }

  /** Delivers what the database holds after the last delivered entry; again when asked meanwhile. */
  #read(): void {
    if (this.#reading) {
      this.#readAgain = true;
      return;
    }
    this.#reading = (async () => {
      try {
        do {
          this.#readAgain = false;
          for (;;) {
            const rows = await this.#options.rowsAfter(this.#delivered, READ_LIMIT);
            for (const row of rows) this.#deliver(rowToEntry(row), rowToLine(row));
            const last = rows.at(-1);
            if (last) this.#options.onHead({ seq: last.seq, hash: last.hash });
            if (rows.length < READ_LIMIT) break;
          }
        } while (this.#readAgain && !this.#closed);
      } catch (error) {
        this.#options.onError?.(error, 'reading entries for live tails');
      } finally {
        this.#reading = undefined;
      }
    })();
  }
}
