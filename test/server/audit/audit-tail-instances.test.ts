/**
 * The live tail (SSE) of one instance shows entries appended through another instance of
 * the same deployment (docs/DEPLOY.md): on PostgreSQL through LISTEN/NOTIFY (project
 * `node-pg`), on SQLite by polling the shared file (project `node`). Each entry arrives
 * once, in seq order, whichever instance wrote it; an entry of a rolled-back state change
 * never arrives.
 */
import fs from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestApp, tempDir, testEngine, type Session, type TestApp } from '../helpers.ts';
import { adminSession, apiKeyWith, handoff } from './audit-helpers.ts';

interface Tail {
  seqs: number[];
  /** Each entry's data line (the canonical JSON), by seq. */
  lines: Map<number, string>;
  close(): void;
}

/** Opens `/api/v1/audit/stream` on a listening instance and collects the entries' seqs. */
async function openTail(harness: TestApp, session: Session): Promise<Tail> {
  const { port } = harness.app.server.address() as AddressInfo;
  const seqs: number[] = [];
  const lines = new Map<number, string>();
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port, path: '/api/v1/audit/stream', headers: bearer(session.access_token) },
      resolve,
    );
    request.once('error', reject);
    request.end();
  });
  expect(response.statusCode).toBe(200);
  let text = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    text += chunk;
    let end: number;
    while ((end = text.indexOf('\n\n')) !== -1) {
      const event = text.slice(0, end);
      text = text.slice(end + 2);
      const id = /^id: (\d+)$/m.exec(event);
      if (id && /^event: entry$/m.test(event)) {
        seqs.push(Number(id[1]));
        lines.set(Number(id[1]), /^data: (.*)$/m.exec(event)?.[1] ?? '');
      }
    }
  });
  // The stream says it is connected before any entry; give the subscription a moment.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return { seqs, lines, close: () => response.destroy() };
}

async function until(condition: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe(`live tails across two instances (${testEngine})`, () => {
  let dataDir: string;
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    // One deployment: a shared data directory (keys) and one database.
    dataDir = await tempDir();
    first = await startTestApp({}, { dataDir });
    second = await startTestApp({}, { dataDir });
    await first.app.listen({ host: '127.0.0.1', port: 0 });
    await second.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('each tail sees every entry appended through either instance, once and in order', async () => {
    const admin = await adminSession(first.app);
    const key = await apiKeyWith(first.app, admin, ['audit:append']);
    const onFirst = await openTail(first, admin);
    const onSecond = await openTail(second, admin);
    const appended: number[] = [];
    // Interleaved, some concurrently: the instances' entries alternate in the chain.
    for (let round = 0; round < 5; round += 1) {
      const batch = await Promise.all(
        [first, second, first, second].map((harness, index) =>
          harness.app.inject({
            method: 'POST',
            url: '/api/v1/audit/events',
            headers: { 'x-api-key': key },
            payload: handoff(round * 4 + index),
          }),
        ),
      );
      for (const response of batch) {
        expect(response.statusCode).toBe(201);
        appended.push((response.json() as { seq: number }).seq);
      }
    }
    const last = Math.max(...appended);
    for (const tail of [onFirst, onSecond]) {
      await until(
        () => tail.seqs.includes(last),
        10_000,
        () => `tail has ${JSON.stringify(tail.seqs)}, appended ${JSON.stringify(appended)}`,
      );
      // Every appended entry once, and nothing out of order (other entries — the API key's
      // creation — may come before).
      for (const seq of appended) expect(tail.seqs.filter((seen) => seen === seq)).toHaveLength(1);
      expect([...tail.seqs].sort((a, b) => a - b)).toEqual(tail.seqs);
      const from = tail.seqs.indexOf(Math.min(...appended));
      expect(tail.seqs.slice(from)).toEqual(
        Array.from({ length: last - tail.seqs[from]! + 1 }, (_, i) => i + tail.seqs[from]!),
      );
      tail.close();
    }
  });

  it('a state change that rolls back reaches no tail on the other instance', async () => {
    const admin = await adminSession(second.app);
    const tail = await openTail(second, admin);
    // A rule change whose transaction fails after its entry was queued: nothing commits.
    const failed = await first.app
      .auditService!.transact(async (_trx, append) => {
        append({ type: 'agent_handoff', actor: null, details: handoff(999).details });
        throw new Error('rolled back on purpose');
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(String(failed)).toContain('rolled back on purpose');
    const committed = await first.app.auditService!.appendEntry({
      type: 'agent_handoff',
      actor: null,
      details: handoff(1000).details,
    });
    await until(
      () => tail.seqs.includes(committed.seq),
      10_000,
      () => JSON.stringify(tail.seqs),
    );
    // The seq the rolled-back entry would have had went to the committed one, and the
    // rolled-back entry's text reached no tail.
    expect(JSON.parse(tail.lines.get(committed.seq)!)).toMatchObject({ hash: committed.hash });
    expect([...tail.lines.values()].join('\n')).not.toContain('step 999 done');
    tail.close();
  });
});
