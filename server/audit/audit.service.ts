/**
 * The audit log service (`app.audit`): one writer queue appends hash-chained entries
 * with group commit (every entry waiting when a commit starts goes into that one
 * transaction, in arrival order), and `append` resolves only after the commit — an
 * acknowledged entry is durable. It signs checkpoints every N entries, every T seconds
 * and on demand, recovers at start (see {@link AuditService.open}), pages, verifies,
 * exports and notifies live subscribers.
 */
import {
  auditEventInputSchema,
  AuditEventType,
  type AuditCheckpoint,
  type AuditConsistencyProof,
  type AuditEntry,
  type AuditInclusionProof,
  type AuditEventInput,
  type AuditPage,
  type AuditQuery,
  type AuditVerifyResult,
  AuditVerifyReason,
} from '../../shared/common/audit-event.ts';
import { chainNext, GENESIS_HEAD, type BuiltEntry } from '../../shared/node/audit/audit-canonical.ts';
import { parseCheckpointBody, signCheckpoint, treeOrigin } from '../../shared/node/audit/audit-checkpoint.ts';
import { formatVerifierKey } from '../../shared/node/audit/signed-note.ts';
import { ErrorCode } from '../../shared/common/errors.ts';
import { ApiError } from '../errors.ts';
import type { AuditSink, AuditWork, TransactionalAuditSink } from '../audit-sink.ts';
import type { Db } from '../db/database.ts';
import { rowToEntry, rowToLine, type AuditStore, type StoredCheckpoint } from './audit.store.ts';
import { redactDetails } from './audit-redact.ts';
import { recoverAtStart, type RecoveryReport } from './audit-recovery.ts';
import { verifyStoredChain } from './audit-verify.ts';
import type { AuditFeed } from './audit-feed.ts';
import { AuditSubscribers, type AuditListener } from './audit-subscribers.ts';

/** What the service needs from the server. */
export interface AuditServiceOptions {
  store: AuditStore;
  /** HAZMAT: the server's Ed25519 seed, used only to sign checkpoints. */
  signingSeed: Uint8Array;
  signingPublicKey: Uint8Array;
  /**
   * The log's configured name. Tree checkpoints use `<origin>/tlog` as origin and key name
   * (audit-checkpoint.ts: legacy chain-head checkpoints used the bare name).
   */
  origin: string;
  checkpointEvery: number;
  checkpointIntervalMs: number;
  /** Marks clean/unclean shutdowns; see audit-recovery.ts. */
  state: { instanceId?: string; get(): Promise<string | undefined>; set(value: string): Promise<void> };
  onError?: (error: unknown, what: string) => void;
  /**
   * How this instance hears of entries other instances append (audit-feed.ts); started with
   * the first subscriber. Without it, subscribers hear of this instance's entries only.
   */
  feed?: AuditFeed;
}

type EntryFields = Omit<Parameters<typeof chainNext>[1], 'ts'>;

interface Pending {
  fields: EntryFields;
  resolve: (entry: AuditEntry) => void;
  reject: (error: unknown) => void;
}

/** A state change queued with its entries (see {@link AuditService.transact}). */
interface PendingWork {
  run: () => Promise<void>;
}

const isWork = (item: Pending | PendingWork): item is PendingWork => 'run' in item;

export type { AuditListener };

const MAX_BATCH = 256;

/** An event validated and redacted into the fields of an entry (throws on an invalid event). */
function fieldsOf(event: AuditEventInput): EntryFields {
  const input = auditEventInputSchema.parse(event);
  return {
    type: input.type,
    actor: input.actor,
    resource: input.resource ?? null,
    ip: input.ip ?? null,
    request_id: input.request_id ?? null,
    details: redactDetails(input.details ?? {}) as Record<string, unknown>,
  };
}

export class AuditService implements AuditSink, TransactionalAuditSink {
  readonly store: AuditStore;
  readonly origin: string;
  readonly verifierKey: string;
  private readonly options: AuditServiceOptions;
  private head: { seq: number; hash: string } = GENESIS_HEAD;
  private checkpointSize = 0;
  private pending: (Pending | PendingWork)[] = [];
  private writing: Promise<void> | undefined;
  private readonly subscribers: AuditSubscribers;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** What the start-up recovery found (for tests and the status page). */
  recovery: RecoveryReport | undefined;

  private constructor(options: AuditServiceOptions) {
    this.options = options;
    this.store = options.store;
    this.origin = treeOrigin(options.origin);
    this.verifierKey = formatVerifierKey(this.origin, options.signingPublicKey);
    this.subscribers = new AuditSubscribers({
      rowsAfter: (after, limit) => this.store.rowsAfter(after, limit),
      ...(options.feed ? { feed: options.feed } : {}),
      // Other instances' entries, read for the tails: committed, so the head moves on.
      onHead: (head) => {
        if (head.seq > this.head.seq) this.head = head;
      },
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }

  /**
   * Opens the log: recovers (verifies the tail, quarantines a bad tail, compares with
   * the newest checkpoint, reports an unclean shutdown as an `audit_recovered` entry),
   * then starts the checkpoint timer.
   */
  static async open(options: AuditServiceOptions): Promise<AuditService> {
    const service = new AuditService(options);
    const report = await recoverAtStart(options.store, options.state);
    service.recovery = report;
    service.head = (await options.store.head()) ?? GENESIS_HEAD;
    service.subscribers.startAfter(service.head.seq);
    service.checkpointSize = (await options.store.latestTreeCheckpoint())?.size ?? 0;
    for (const event of report.events) await service.appendEntry(event);
    await options.state.set('running');
    service.timer = setInterval(() => {
      if (service.head.seq > service.checkpointSize) {
        service.checkpoint().catch((error: unknown) => options.onError?.(error, 'periodic checkpoint'));
      }
    }, options.checkpointIntervalMs);
    service.timer.unref();
    return service;
  }

  /** The newest committed seq. */
  get headSeq(): number {
    return this.head.seq;
  }

  /** Appends an event; resolves once it is committed (AuditSink). */
  async append(event: AuditEventInput): Promise<void> {
    await this.appendEntry(event);
  }

  /** Appends an event and returns the committed entry. Rejects invalid events (nothing is written). */
  appendEntry(event: AuditEventInput): Promise<AuditEntry> {
    if (this.closed) return Promise.reject(new Error('the audit log is closed'));
    let fields: EntryFields;
    try {
      fields = fieldsOf(event);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise<AuditEntry>((resolve, reject) => {
      this.pending.push({ fields, resolve, reject });
      this.kick();
    });
  }

  /**
   * Runs a state change and commits the entries it appends in the same database
   * transaction, in the writer queue's order (so the chain never forks): the change and
   * its entries are durable together when this resolves; when `work` throws, an event is
   * invalid or an entry has no canonical form, everything rolls back and this rejects.
   * Subscribers hear of the entries after the commit.
   */
  transact<T>(work: AuditWork<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the audit log is closed'));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({
        run: async () => {
          let built: BuiltEntry[] = [];
          let head: { seq: number; hash: string } = this.head;
          try {
            const value = await this.store.transactChained(
              async (trx: Db) => {
                const events: EntryFields[] = [];
                const result = await work(trx, (event) => {
                  events.push(fieldsOf(event));
                });
                return { result, events };
              },
              (committed, { events }) => {
                const ts = new Date().toISOString();
                built = [];
                head = committed ?? GENESIS_HEAD;
                for (const fields of events) {
                  const entry = chainNext(head, { ...fields, ts });
                  built.push(entry);
                  head = entry.entry;
                }
                return built.map((entry) => ({ ...entry.entry, details: entry.detailsJson }));
              },
            );
            // Another instance's entries, read by a catch-up meanwhile, may be newer.
            if (built.length > 0 && head.seq > this.head.seq) this.head = head;
            this.subscribers.committed(built);
            resolve(value.result);
          } catch (error) {
            this.head = (await this.store.head().catch(() => undefined)) ?? this.head;
            reject(error);
          }
        },
      });
      this.kick();
    });
  }

  /** Starts the writer unless it runs; it re-checks the queue as it stops, so no append is stranded. */
  private kick(): void {
    if (this.writing) return;
    this.writing = (async () => {
      try {
        await this.drain();
      } finally {
        this.writing = undefined;
        if (this.pending.length > 0) this.kick();
      }
    })();
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const first = this.pending[0];
      if (first && isWork(first)) {
        this.pending.shift();
        await first.run();
      } else {
        // Plain entries up to the next state change go into one group commit.
        const end = this.pending.findIndex(isWork);
        const batch = this.pending.splice(0, Math.min(end === -1 ? this.pending.length : end, MAX_BATCH));
        await this.commitBatch(batch as Pending[]);
      }
      if (this.head.seq - this.checkpointSize >= this.options.checkpointEvery) {
        await this.checkpoint().catch((error: unknown) => this.options.onError?.(error, 'checkpoint'));
      }
    }
  }

  private async commitBatch(batch: Pending[]): Promise<void> {
    let built: { item: Pending; entry: BuiltEntry }[] = [];
    let head = this.head;
    const ts = new Date().toISOString();
    try {
      // The chain is built on the head committed in the database, read inside the
      // write transaction: another process on the same data directory may have
      // appended since this one last wrote.
      await this.store.appendChained((committed) => {
        built = [];
        head = committed ?? GENESIS_HEAD;
        for (const item of batch) {
          try {
            const entry = chainNext(head, { ...item.fields, ts });
            built.push({ item, entry });
            head = entry.entry;
          } catch (error) {
            item.reject(error);
          }
        }
        return built.map(({ entry }) => ({ ...entry.entry, details: entry.detailsJson }));
      });
    } catch (error) {
      for (const { item } of built) item.reject(error);
      this.head = (await this.store.head().catch(() => undefined)) ?? this.head;
      return;
    }
    if (built.length === 0) return;
    if (head.seq > this.head.seq) this.head = head;
    for (const { item, entry } of built) item.resolve(entry.entry);
    this.subscribers.committed(built.map(({ entry }) => entry));
  }

  /**
   * Subscribes to committed entries — this instance's and, with a feed, every other
   * instance's — each once and in seq order (audit-subscribers.ts); returns the unsubscribe function.
   */
  subscribe(listener: AuditListener): () => void {
    return this.subscribers.subscribe(listener);
  }

  /** A keyset page of entries. */
  async page(query: AuditQuery): Promise<AuditPage> {
    const [rows, total] = await Promise.all([this.store.page(query), this.store.count(query)]);
    const last = rows.at(-1);
    return {
      entries: rows.map(rowToEntry),
      next: rows.length === query.limit && last ? last.seq : null,
      head_seq: this.head.seq,
      total,
    };
  }

  /** Signs a tree checkpoint of the current head unless the newest one already covers it. */
  async checkpoint(): Promise<AuditCheckpoint> {
    const head = this.head;
    const latest = await this.store.latestTreeCheckpoint();
    let stored: StoredCheckpoint;
    if (latest && latest.size >= head.seq) {
      stored = latest;
    } else {
      const rootHash = await this.store.treeRoot(head.seq);
      const note = signCheckpoint(
        { origin: this.origin, size: head.seq, rootHash },
        this.origin,
        this.options.signingSeed,
      );
      stored = {
        size: head.seq,
        head_hash: head.hash,
        root_hash: rootHash,
        note,
        created_at: new Date().toISOString(),
      };
      await this.store.saveCheckpoint(stored);
    }
    this.checkpointSize = Math.max(this.checkpointSize, stored.size);
    const body = parseCheckpointBody(stored.note.slice(0, stored.note.lastIndexOf('\n\n') + 1));
    return {
      origin: body.origin,
      size: body.size,
      head_hash: stored.head_hash,
      root_hash: body.rootHash,
      note: stored.note,
      verifier_key: this.verifierKey,
    };
  }

  /** The committed tree size (read from the database: another instance may have appended). */
  async treeSize(): Promise<number> {
    return (await this.store.head())?.seq ?? 0;
  }

  /** The inclusion proof of entry `seq` in the tree of the first `size` entries. */
  async inclusionProof(seq: number, size: number): Promise<AuditInclusionProof> {
    const committed = await this.treeSize();
    if (size > committed)
      throw new ApiError(ErrorCode.ProofOutOfRange, `size ${size} is beyond the log (${committed} entries)`);
    if (seq < 1 || seq > size)
      throw new ApiError(ErrorCode.ProofOutOfRange, `seq ${seq} is not in the tree of size ${size}`);
    const hashes = await this.store.inclusionProof(seq, size);
    return { leaf_index: seq - 1, tree_size: size, hashes: hashes.map((hash) => hash.toString('base64')) };
  }

  /** The consistency proof from the tree of the first `from` entries to that of the first `to`. */
  async consistencyProof(from: number, to: number): Promise<AuditConsistencyProof> {
    const committed = await this.treeSize();
    if (from > to) throw new ApiError(ErrorCode.ProofOutOfRange, `from (${from}) is greater than to (${to})`);
    if (to > committed)
      throw new ApiError(ErrorCode.ProofOutOfRange, `to ${to} is beyond the log (${committed} entries)`);
    const hashes = await this.store.consistencyProof(from, to);
    return { from, to, hashes: hashes.map((hash) => hash.toString('base64')) };
  }

  /** Verifies the whole stored chain, its Merkle tree and the newest checkpoints; a failure is itself audited. */
  async verify(): Promise<AuditVerifyResult> {
    const latest = await this.store.latestCheckpoint();
    const latestTree = await this.store.latestTreeCheckpoint();
    const watch = [latest?.size, latestTree?.size].filter((size) => size !== undefined);
    const { result, rootAt } = await verifyStoredChain(this.store, watch);
    let final = result;
    const fail = (reason: AuditVerifyReason, firstBad: number, message: string): void => {
      final = { ...final, ok: false, reason, first_bad_seq: firstBad, message };
    };
    if (final.ok && latest) {
      final = { ...final, checkpoint_size: latest.size, checkpoint_at: latest.created_at };
      if (latest.size > result.head_seq) {
        fail(
          AuditVerifyReason.CheckpointAhead,
          result.head_seq + 1,
          `the log ends at ${result.head_seq} but a checkpoint covers ${latest.size} entries`,
        );
      } else if (latest.size > 0 && (await this.store.at(latest.size))?.hash !== latest.head_hash) {
        fail(
          AuditVerifyReason.CheckpointMismatch,
          latest.size,
          `entry ${latest.size} does not match the signed checkpoint`,
        );
      }
    }
    if (
      final.ok &&
      latestTree &&
      latestTree.size <= result.head_seq &&
      rootAt(latestTree.size) !== latestTree.root_hash
    ) {
      fail(
        AuditVerifyReason.CheckpointMismatch,
        latestTree.size,
        `the entries do not have the Merkle root of the signed checkpoint (size ${latestTree.size})`,
      );
    }
    if (final.ok && (await this.store.treeRoot(result.head_seq)) !== rootAt(result.head_seq)) {
      fail(
        AuditVerifyReason.TreeMismatch,
        result.head_seq,
        'the stored Merkle tree does not match the entries (proofs and tiles would be wrong)',
      );
    }
    if (!final.ok) {
      await this.append({
        type: AuditEventType.ChainVerificationFailed,
        actor: null,
        details: { reason: final.reason ?? 'unknown', first_bad_seq: final.first_bad_seq ?? 0 },
      });
    }
    return final;
  }

  /**
   * The export: a fresh checkpoint, then every entry it covers as canonical JSONL, then a
   * trailer line `{"checkpoint": note}`. Entries appended meanwhile are not included.
   */
  async *exportJsonl(): AsyncGenerator<string> {
    const checkpoint = await this.checkpoint();
    let after = 0;
    while (after < checkpoint.size) {
      const rows = await this.store.rowsAfter(after, Math.min(200, checkpoint.size - after));
      const last = rows.at(-1);
      if (!last) break;
      yield rows.map((row) => `${rowToLine(row)}\n`).join('');
      after = last.seq;
    }
    yield `${JSON.stringify({ checkpoint: checkpoint.note })}\n`;
  }

  /** Waits for queued appends, signs a final checkpoint, marks a clean shutdown. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    while (this.writing) await this.writing;
    await this.subscribers.close();
    if (this.head.seq > this.checkpointSize) await this.checkpoint().catch(() => undefined);
    await this.options.state.set('clean');
  }
}
