/**
 * `/api/v1/audit…` (auditor and up; services append with an `audit:append` API key):
 * keyset pages with filters, chain verification, the newest signed checkpoint, the JSONL
 * export (entries, then the checkpoint trailer), a live tail over Server-Sent Events (both
 * bounded: audit-streams.ts), and the
 * transparency-log reads: RFC 9162 inclusion and consistency proofs and the C2SP tlog-tiles
 * API under `/api/v1/audit/tlog/` (docs/SECURITY.md).
 * Trust boundary: every query and body is validated with the shared zod schemas.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  auditAppendRequestSchema,
  auditConsistencyQuerySchema,
  AuditEventType,
  auditInclusionQuerySchema,
  auditQuerySchema,
} from '../../shared/common/audit-event.ts';
import {
  encodeEntryBundle,
  parseTilePath,
  tileInTree,
  TILE_WIDTH,
} from '../../shared/node/audit/tlog-tiles.ts';
import { ErrorCode } from '../../shared/common/errors.ts';
import { Permission } from '../../shared/common/roles.ts';
import { principalOf } from '../auth/auth.hook.ts';
import { ApiError } from '../errors.ts';
import { rowToLine } from './audit.store.ts';
import type { AuditService } from './audit.service.ts';
import {
  credentialOf,
  endsReader,
  EXPORTS_PER_CREDENTIAL,
  EXPORTS_TOTAL,
  ReaderSlots,
  REPLAY_MAX,
  StreamWriter,
  STREAM_BACKLOG_BYTES,
  STREAMS_PER_CREDENTIAL,
  STREAMS_TOTAL,
} from './audit-streams.ts';

const HEARTBEAT_MS = 15_000;
const streamQuerySchema = z.strictObject({ after: z.coerce.number().int().min(0).optional() });

function serviceOf(app: FastifyInstance): AuditService {
  const service = app.auditService;
  if (!service) throw new ApiError(ErrorCode.Unavailable, 'the durable audit log is not configured');
  return service;
}

/** Registers the audit routes (only when the durable audit service is the app's sink). */
export function auditRoutes(app: FastifyInstance): void {
  if (!app.auditService) return;
  const streams = new Set<ServerResponse>();
  const tails = new ReaderSlots('audit streams', STREAMS_PER_CREDENTIAL, STREAMS_TOTAL);
  const exports = new ReaderSlots('audit exports', EXPORTS_PER_CREDENTIAL, EXPORTS_TOTAL);
  app.addHook('preClose', async () => {
    // Live tails never finish by themselves: end them so shutdown can drain.
    for (const stream of streams) stream.end();
  });

  app.get('/api/v1/audit', { config: { permission: Permission.AuditRead } }, async (request) =>
    serviceOf(app).page(auditQuerySchema.parse(request.query)),
  );

  app.get(
    '/api/v1/audit/verify',
    { config: { permission: Permission.AuditRead, rateLimitTier: 'heavy' } },
    async () => serviceOf(app).verify(),
  );

  app.get('/api/v1/audit/checkpoint', { config: { permission: Permission.AuditRead } }, async () =>
    serviceOf(app).checkpoint(),
  );

  app.get(
    '/api/v1/audit/proof/inclusion',
    { config: { permission: Permission.AuditRead } },
    async (request) => {
      const query = auditInclusionQuerySchema.parse(request.query);
      return serviceOf(app).inclusionProof(query.seq, query.size);
    },
  );

  app.get(
    '/api/v1/audit/proof/consistency',
    { config: { permission: Permission.AuditRead } },
    async (request) => {
      const query = auditConsistencyQuerySchema.parse(request.query);
      return serviceOf(app).consistencyProof(query.from, query.to);
    },
  );

  app.get(
    '/api/v1/audit/tlog/checkpoint',
    { config: { permission: Permission.AuditRead } },
    async (_request, reply) => {
      const checkpoint = await serviceOf(app).checkpoint();
      return reply
        .type('text/plain; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(checkpoint.note);
    },
  );

  app.get(
    '/api/v1/audit/tlog/tile/*',
    { config: { permission: Permission.AuditRead } },
    async (request, reply) => {
      const rest = (request.params as Record<string, string | undefined>)['*'] ?? '';
      const tile = parseTilePath(`tile/${rest}`);
      if (!tile)
        throw new ApiError(
          ErrorCode.BadTilePath,
          'not a C2SP tlog-tiles path: tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>], N in x-prefixed groups of three digits',
        );
      const service = serviceOf(app);
      if (!tileInTree(tile, await service.treeSize()))
        throw new ApiError(ErrorCode.NotFound, 'the log does not have that tile (yet)');
      const entries = tile.level === null;
      const body = entries
        ? encodeEntryBundle(
            (await service.store.lines(tile.index * TILE_WIDTH + 1, tile.width)).map((line) =>
              Buffer.from(line, 'utf8'),
            ),
          )
        : Buffer.concat(await service.store.tileHashes(tile.level ?? 0, tile.index, tile.width));
      // A full tile never changes. Hash tiles reveal nothing guessable (every leaf holds the previous
      // entry's hash), so shared caches and a CDN may keep them; entry bundles hold the entries.
      const cache = tile.width === TILE_WIDTH ? 'max-age=31536000, immutable' : 'no-cache';
      return reply
        .type('application/octet-stream')
        .header('cache-control', `${entries ? 'private' : 'public'}, ${cache}`)
        .send(body);
    },
  );

  app.get(
    '/api/v1/audit/export',
    { config: { permission: Permission.AuditExport, rateLimitTier: 'heavy' } },
    async (request, reply) => {
      const service = serviceOf(app);
      const principal = principalOf(request);
      const release = exports.take(credentialOf(principal));
      try {
        await service.append({
          type: AuditEventType.AuditExport,
          actor: principal.email,
          ip: request.ip,
          request_id: request.id,
          details: { format: 'jsonl', entries_before: service.headSeq },
        });
      } catch (error) {
        release();
        throw error;
      }
      // A byte stream with a small buffer: an export nobody reads holds one page of
      // entries, not sixteen (the default for a stream of objects).
      const body = Readable.from(service.exportJsonl(), { objectMode: false, highWaterMark: 16 * 1024 });
      reply.raw.once('close', release);
      body.once('close', release);
      return reply
        .type('application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="audit-${service.headSeq}.jsonl"`)
        .header('cache-control', 'no-store')
        .send(body);
    },
  );

  app.post(
    '/api/v1/audit/events',
    { config: { permission: Permission.AuditAppend } },
    async (request, reply) => {
      const principal = principalOf(request);
      const body = auditAppendRequestSchema.parse(request.body);
      const entry = await serviceOf(app).appendEntry({
        type: body.type,
        // Services act through API keys: name the key, not only its owner.
        actor: principal.apiKeyId ? `api-key:${principal.apiKeyId}` : principal.email,
        resource: body.resource ?? null,
        ip: request.ip,
        request_id: request.id,
        details: body.details,
      });
      return reply.code(201).send({ seq: entry.seq, hash: entry.hash, ts: entry.ts });
    },
  );

  app.get(
    '/api/v1/audit/stream',
    { config: { permission: Permission.AuditRead } },
    async (request, reply) => {
      const service = serviceOf(app);
      const principal = principalOf(request);
      const query = streamQuerySchema.parse(request.query);
      const lastEventId = Number(request.headers['last-event-id']);
      const release = tails.take(credentialOf(principal));
      let lastSent =
        query.after ??
        (Number.isSafeInteger(lastEventId) && lastEventId >= 0 ? lastEventId : service.headSeq);
      // Replay is bounded: a client further behind starts REPLAY_MAX entries before the head.
      lastSent = Math.max(lastSent, service.headSeq - REPLAY_MAX);
      reply.hijack();
      const raw = reply.raw;
      let unsubscribe = (): void => undefined;
      let stopListening = (): void => undefined;
      const timers: { heartbeat?: NodeJS.Timeout } = {};
      const cleanup = (): void => {
        if (timers.heartbeat) clearInterval(timers.heartbeat);
        unsubscribe();
        stopListening();
        streams.delete(raw);
        release();
      };
      const writer = new StreamWriter(raw, cleanup);
      raw.on('close', cleanup);
      raw.writeHead(200, {
        ...(reply.getHeaders() as OutgoingHttpHeaders),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
      });
      const send = (seq: number, line: string): void => {
        if (seq <= lastSent) return;
        if (writer.write(`id: ${seq}\nevent: entry\ndata: ${line}\n\n`)) lastSent = seq;
      };
      // Subscribe before replaying so nothing committed meanwhile is missed; dedupe by seq.
      // What arrives during the replay is held, within the same byte bound as the backlog.
      const buffered: [number, string][] = [];
      let bufferedBytes = 0;
      let replaying = true;
      unsubscribe = service.subscribe((entry, line) => {
        if (!replaying) return send(entry.seq, line);
        bufferedBytes += line.length;
        if (bufferedBytes > STREAM_BACKLOG_BYTES) writer.cut();
        else buffered.push([entry.seq, line]);
      });
      // Access was checked at connect: a sign-out, a disable or a role change ends the stream.
      stopListening = app.accountEvents.on((change) => {
        if (endsReader(principal, change)) raw.end();
      });
      timers.heartbeat = setInterval(() => {
        if (writer.backlog === 0) writer.write(': ping\n\n');
      }, HEARTBEAT_MS);
      timers.heartbeat.unref();
      streams.add(raw);
      writer.write(': connected\n\n');
      while (!raw.destroyed && !raw.writableEnded) {
        await writer.drained();
        const rows = await service.store.rowsAfter(lastSent, 200);
        // Only as much as the client takes: the rest is read again after the drain.
        let sent = 0;
        for (const row of rows) {
          if (writer.congested) break;
          send(row.seq, rowToLine(row));
          sent += 1;
        }
        if (rows.length < 200 && sent === rows.length) break;
      }
      replaying = false;
      for (const [seq, line] of buffered) send(seq, line);
      buffered.length = 0;
    },
  );
}
