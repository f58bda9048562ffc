/**
 * The attack on audit readers, shared by the memory test and the bench: a log of
 * sizeable entries, many API keys with audit scopes, then live tails and exports opened
 * over raw loopback sockets that read the status line and nothing more, while new
 * entries keep arriving. Returns the server's RSS growth.
 */
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { bearer, type Session } from '../helpers.ts';

export interface UnreadLoad {
  streams: number;
  exports: number;
  /** Entries in the log before the readers connect, and appended while they are open. */
  entriesBefore: number;
  entriesDuring: number;
  keys: number;
}

export interface UnreadResult {
  rssBeforeMiB: number;
  rssPeakMiB: number;
  rssGrowthMiB: number;
  streamsOpen: number;
  streamsRefused: number;
  exportsOpen: number;
  exportsRefused: number;
  /** Answers other than 200 and 429 (0: none within 60 s). */
  unexpected: string[];
  seconds: number;
}

const mib = (bytes: number) => bytes / 1024 / 1024;
const rss = () => process.memoryUsage().rss;

/** A client that sends one GET and reads only the first chunk (the status line). */
function unreadRequest(
  port: number,
  path: string,
  key: string,
): Promise<{ status: number; socket: net.Socket }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    // No answer in time counts as status 0 (the caller fails on it, after the memory check).
    const timer = setTimeout(() => resolve({ status: 0, socket }), 60_000);
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-API-Key: ${key}\r\nAccept: */*\r\n\r\n`,
    );
    socket.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      // From here on nothing is read: the kernel buffers fill and the server must hold back.
      socket.pause();
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1'))?.[1] ?? 0), socket });
    });
  });
}

export async function runUnreadLoad(
  app: FastifyInstance,
  admin: Session,
  port: number,
  load: UnreadLoad,
): Promise<UnreadResult> {
  const service = app.auditService!;
  const blob = 'x'.repeat(3500);
  const fill = async (count: number, tag: string) => {
    for (let start = 0; start < count; start += 250) {
      await Promise.all(
        Array.from({ length: Math.min(250, count - start) }, (_, index) =>
          service.append({
            type: 'agent_handoff',
            actor: 'load@example.test',
            details: { tag, n: start + index, blob },
          }),
        ),
      );
    }
  };
  await fill(load.entriesBefore, 'before');
  const keys: string[] = [];
  for (let index = 0; index < load.keys; index += 1) {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: bearer(admin.access_token),
      payload: { name: `reader ${index}`, scopes: ['audit:read', 'audit:export'] },
    });
    if (created.statusCode !== 201) throw new Error(`API key: ${created.statusCode} ${created.body}`);
    keys.push((created.json() as { key: string }).key);
  }
  (globalThis as { gc?: () => void }).gc?.();
  const before = rss();
  let peak = before;
  const sample = setInterval(() => {
    peak = Math.max(peak, rss());
  }, 50);
  const began = performance.now();
  const sockets: net.Socket[] = [];
  const outcome = {
    streamsOpen: 0,
    streamsRefused: 0,
    exportsOpen: 0,
    exportsRefused: 0,
    unexpected: [] as string[],
  };
  try {
    const opened = await Promise.all([
      ...Array.from({ length: load.streams }, (_, index) =>
        unreadRequest(port, '/api/v1/audit/stream?after=0', keys[index % keys.length]!).then((r) => ({
          ...r,
          kind: 'stream',
        })),
      ),
      ...Array.from({ length: load.exports }, (_, index) =>
        unreadRequest(port, '/api/v1/audit/export', keys[index % keys.length]!).then((r) => ({
          ...r,
          kind: 'export',
        })),
      ),
    ]);
    for (const { status, socket, kind } of opened) {
      sockets.push(socket);
      const ok = status === 200;
      if (kind === 'stream') outcome[ok ? 'streamsOpen' : 'streamsRefused'] += 1;
      else outcome[ok ? 'exportsOpen' : 'exportsRefused'] += 1;
      if (!ok && status !== 429) outcome.unexpected.push(`${kind}: ${status}`);
    }
    await fill(load.entriesDuring, 'during');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    peak = Math.max(peak, rss());
  } finally {
    clearInterval(sample);
    for (const socket of sockets) socket.destroy();
  }
  return {
    rssBeforeMiB: mib(before),
    rssPeakMiB: mib(peak),
    rssGrowthMiB: mib(peak - before),
    ...outcome,
    seconds: (performance.now() - began) / 1000,
  };
}
