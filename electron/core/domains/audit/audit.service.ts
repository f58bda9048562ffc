/**
 * The audit view's backend: keyset pages (with the filter's total), server-side chain
 * verification, the server-signed JSONL export written to a local file, offline
 * verification of such a file, and the live tail (the server's SSE stream, pushed as
 * `audit.onEntry`), and the transparency-log checks: an entry's inclusion proof and, on
 * every visit, a consistency proof from the checkpoint this console remembers (in
 * `audit-checkpoints.json` of the console home, the file `factory-console audit verify`
 * remembers in) to the newest. The proofs are verified here, on the main side; the renderer
 * only shows the verdict. Talks to the Factory API only through the connection's client.
 */
import { createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import {
  auditCheckpointSchema,
  auditEntrySchema,
  auditPageSchema,
  auditVerifyResultSchema,
  type AuditEntry,
  type AuditVerifyResult,
} from '../../../../shared/common/audit-event.ts';
import type {
  AuditConsistency,
  AuditEntrySummary,
  AuditInclusion,
  AuditExportResult,
  AuditPage,
  AuditVerification,
} from '../../../../shared/common/contract/bridge.ts';
import type {
  AuditExportInput,
  AuditInclusionInput,
  AuditPageInput,
} from '../../../../shared/common/contract/inputs.ts';
import { placeWithoutOverwrite, stagedExportPath } from '../../platform/create-once-file.ts';
import { RememberedCheckpoints } from '../../../../shared/node/audit/remembered-checkpoints.ts';
import {
  proveEntryIncluded,
  proveLogGrew,
  tlogReaderOf,
  type TlogReader,
} from '../../../../shared/node/audit/tlog-proofs.ts';
import { AuditVerifyUsageError, runAuditVerify } from '../../../../shared/node/audit/offline-verify.ts';
import { ConsoleError } from '../../platform/console-error.ts';
import type { FactoryConnection } from '../../factory-api/factory-connection.ts';
import { readServerSentEvents } from '../../factory-api/server-sent-events.ts';
import type { DomainHandlers } from '../../ipc/handlers.ts';

/** The file, in the console home, where the console remembers the newest checkpoint it proved. */
export const REMEMBERED_CHECKPOINTS_FILE = 'audit-checkpoints.json';

/** Pause before the live tail reconnects after a dropped stream. */
const TAIL_RETRY_MS = 3_000;

/** The contract's summary of a server entry (details included: the server keeps secrets out of them). */
export function summariseEntry(entry: AuditEntry): AuditEntrySummary {
  return {
    seq: entry.seq,
    type: entry.type,
    actor: entry.actor,
    at: entry.ts,
    hash: entry.hash,
    details: entry.details,
    resource: entry.resource,
    prevHash: entry.prev_hash,
  };
}

function toVerification(result: AuditVerifyResult): AuditVerification {
  return {
    intact: result.ok,
    checked: result.checked,
    firstBadSeq: result.first_bad_seq ?? null,
    reason: result.reason ?? null,
    message: result.message ?? null,
    checkpointSize: result.checkpoint_size ?? null,
    checkpointAt: result.checkpoint_at ?? null,
  };
}

/**
 * Renderer input: a path the operator typed. Only an absolute `.jsonl` path is taken,
 * so a compromised page cannot aim the export at a dotfile or a config file.
 */
function checkedExportPath(input: AuditExportInput): string {
  const target = input.path.trim();
  if (!path.isAbsolute(target) || path.extname(target).toLowerCase() !== '.jsonl' || target.includes('\0'))
    throw new ConsoleError('validation_failed', 'Give an absolute path ending in .jsonl.');
  return path.normalize(target);
}

export class AuditService implements DomainHandlers<'audit'> {
  readonly #connection: FactoryConnection;
  readonly #emit: (entry: AuditEntrySummary) => void;
  readonly #rememberFile: string | undefined;
  #tail: AbortController | null = null;
  #lastSeq = 0;
  /** One consistency check at a time, so two visits never race on the remembered file. */
  #consistency: Promise<AuditConsistency> | null = null;

  /** `home`: the console home, where the remembered checkpoint lives (none: nothing is remembered). */
  constructor(connection: FactoryConnection, emit: (entry: AuditEntrySummary) => void, home?: string) {
    this.#connection = connection;
    this.#emit = emit;
    this.#rememberFile = home === undefined ? undefined : path.join(home, REMEMBERED_CHECKPOINTS_FILE);
    // Session events: a sign-out or another server ends the live tail of this one.
    connection.on((event) => {
      if (event.type === 'server-changed' || event.session === null) this.stop();
    });
  }

  #reader(): TlogReader {
    return tlogReaderOf((route) => this.#connection.client.open(route));
  }

  async #memory(): Promise<RememberedCheckpoints> {
    if (this.#rememberFile === undefined)
      throw new ConsoleError('internal', 'This console has no home to remember audit checkpoints in.');
    try {
      return await RememberedCheckpoints.load(this.#rememberFile);
    } catch (error) {
      throw new ConsoleError(
        'internal',
        `${(error as Error).message}: move it aside to start remembering afresh (the next visit pins the log again).`,
      );
    }
  }

  /** Proves entry `seq` (shown with chain hash `hash`) is in the newest signed tree. */
  async inclusion(input: AuditInclusionInput): Promise<AuditInclusion> {
    const memory = this.#rememberFile === undefined ? undefined : await this.#memory();
    const result = await proveEntryIncluded(this.#reader(), input.seq, input.hash, memory);
    return result.ok
      ? { seq: result.seq, included: true, treeSize: result.treeSize, reason: null, message: null }
      : {
          seq: result.seq,
          included: false,
          treeSize: result.treeSize,
          reason: result.reason,
          message: result.message,
        };
  }

  /** Proves the log only grew since the remembered checkpoint, then remembers the newest. */
  consistency(): Promise<AuditConsistency> {
    this.#consistency ??= this.#proveGrowth().finally(() => {
      this.#consistency = null;
    });
    return this.#consistency;
  }

  async #proveGrowth(): Promise<AuditConsistency> {
    const result = await proveLogGrew(this.#reader(), await this.#memory());
    return result.ok
      ? {
          ok: true,
          relation: result.relation,
          from: result.from,
          to: result.to,
          firstBadSeq: null,
          reason: null,
          message: null,
        }
      : {
          ok: false,
          relation: null,
          from: result.from,
          to: result.to,
          firstBadSeq: result.firstBadSeq,
          reason: result.reason,
          message: result.message,
        };
  }

  /** One page in ascending seq; the cursor is the last seq seen. Starts the live tail. */
  async page(input: AuditPageInput): Promise<AuditPage> {
    const query = new URLSearchParams({ order: 'asc', limit: String(input.limit) });
    if (input.cursor !== undefined) {
      if (!/^\d{1,16}$/.test(input.cursor))
        throw new ConsoleError('validation_failed', 'That audit cursor is not one this console issued.');
      query.set('after', input.cursor);
    }
    if (input.offset !== undefined && input.offset > 0) query.set('offset', String(input.offset));
    if (input.type !== undefined) query.set('type', input.type);
    if (input.actor !== undefined) query.set('actor', input.actor);
    if (input.from !== undefined) query.set('since', new Date(input.from).toISOString());
    if (input.to !== undefined) query.set('until', new Date(input.to).toISOString());
    if (input.search !== undefined) query.set('q', input.search);
    const page = await this.#connection.client.send(`/api/v1/audit?${query.toString()}`, {
      schema: auditPageSchema,
    });
    this.#startTail(page.head_seq);
    return {
      entries: page.entries.map(summariseEntry),
      nextCursor: page.next === null ? null : String(page.next),
      total: page.total ?? null,
    };
  }

  /** The server verifies its whole stored chain and the newest checkpoint. */
  async verify(): Promise<AuditVerification> {
    const result = await this.#connection.client.send('/api/v1/audit/verify', {
      schema: auditVerifyResultSchema,
    });
    return toVerification(result);
  }

  /**
   * Streams the server-signed export (entries, then the checkpoint trailer) into a
   * hidden file beside `path`, then links it into place: never a partial file, never over an
   * existing one, not even one that appeared while the export downloaded.
   */
  async exportTo(input: AuditExportInput): Promise<AuditExportResult> {
    const target = checkedExportPath(input);
    const directory = await stat(path.dirname(target)).catch(() => null);
    if (!directory?.isDirectory())
      throw new ConsoleError('validation_failed', 'The folder of that path does not exist.');
    if (await stat(target).catch(() => null))
      throw new ConsoleError('conflict', 'A file already exists at that path; choose another name.');
    const response = await this.#connection.client.open('/api/v1/audit/export', { timeout: false });
    if (!response.body) throw new ConsoleError('internal', 'The Factory API sent an empty export.');
    // Written under a hidden name, then linked into place: a file that appeared at the
    // target while the export downloaded is never replaced (the export is refused instead).
    const temporary = stagedExportPath(target);
    let bytes = 0;
    let lines = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        for (const byte of chunk) if (byte === 0x0a) lines += 1;
        done(null, chunk);
      },
    });
    try {
      await pipeline(
        Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
        counter,
        createWriteStream(temporary, { flags: 'wx', mode: 0o600 }),
      );
      await placeWithoutOverwrite(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    // The last line is the checkpoint trailer, not an entry.
    return { path: target, bytes, entries: Math.max(0, lines - 1) };
  }

  /**
   * Verifies a local export with the offline verifier (the `audit verify` CLI's). When
   * the console is connected, the server's verifier key is used, so the checkpoint's
   * signature is checked too.
   */
  async verifyFile(input: AuditExportInput): Promise<AuditVerification> {
    const file = checkedExportPath(input);
    if (!(await stat(file).catch(() => null))?.isFile())
      throw new ConsoleError('not_found', 'No file at that path.');
    let key: string | undefined;
    try {
      key = (
        await this.#connection.client.send('/api/v1/audit/checkpoint', { schema: auditCheckpointSchema })
      ).verifier_key;
    } catch {
      key = undefined; // Offline: the chain and checkpoint body are still checked.
    }
    try {
      const report = await runAuditVerify({ file, ...(key ? { key } : {}) });
      return toVerification(report.result);
    } catch (error) {
      if (error instanceof AuditVerifyUsageError) throw new ConsoleError('validation_failed', error.message);
      throw error;
    }
  }

  /** Stops the live tail (sign-out, server change, shutdown). */
  stop(): void {
    this.#tail?.abort();
    this.#tail = null;
  }

  #startTail(headSeq: number): void {
    if (this.#tail) return;
    const controller = new AbortController();
    this.#tail = controller;
    this.#lastSeq = Math.max(this.#lastSeq, headSeq);
    void this.#runTail(controller.signal).finally(() => {
      if (this.#tail === controller) this.#tail = null;
    });
  }

  /** Follows `/audit/stream`, reconnecting from the last seq seen until stopped or refused. */
  async #runTail(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const response = await this.#connection.client.open(`/api/v1/audit/stream?after=${this.#lastSeq}`, {
          signal,
          timeout: false,
        });
        if (!response.body) return;
        for await (const event of readServerSentEvents(response.body, signal)) {
          if (event.event !== 'entry') continue;
          const parsed = auditEntrySchema.safeParse(JSON.parse(event.data));
          if (!parsed.success || parsed.data.seq <= this.#lastSeq) continue;
          this.#lastSeq = parsed.data.seq;
          this.#emit(summariseEntry(parsed.data));
        }
      } catch (error) {
        // Signed out or not allowed: stop until the next page asks again.
        if (error instanceof ConsoleError && ['unauthenticated', 'forbidden'].includes(error.code)) return;
      }
      if (signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, TAIL_RETRY_MS).unref());
    }
  }
}
