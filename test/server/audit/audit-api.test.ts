/**
 * The audit log through its public doors: the HTTP API (inject and a real socket for
 * SSE), and the offline verifier CLI on a real export.
 */
import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AuditCheckpoint,
  AuditEntry,
  AuditPage,
  AuditVerifyResult,
} from '../../../shared/common/audit-event.ts';
import { openCheckpoint } from '../../../shared/node/audit/audit-checkpoint.ts';
import { parseVerifierKey } from '../../../shared/node/audit/signed-note.ts';
import { bearer, startTestApp, userWithRole, type Session, type TestApp } from '../helpers.ts';
import { adminSession, apiKeyWith, handoff } from './audit-helpers.ts';

let harness: TestApp;
let admin: Session;
let appendKey: string;

beforeAll(async () => {
  harness = await startTestApp();
  admin = await adminSession(harness.app);
  appendKey = await apiKeyWith(harness.app, admin, ['audit:append']);
});
afterAll(async () => harness.close());

const get = async <T>(url: string, token = admin.access_token) => {
  const response = await harness.app.inject({ method: 'GET', url, headers: bearer(token) });
  return { status: response.statusCode, body: response.json() as T, headers: response.headers };
};

describe('audit API', () => {
  it('records security events from other routes (sign-in, API key creation)', async () => {
    const page = (await get<AuditPage>('/api/v1/audit?order=asc&limit=50')).body;
    const types = page.entries.map((entry) => entry.type);
    expect(types).toContain('login_success');
    expect(types).toContain('api_key_create');
    const created = page.entries.find((entry) => entry.type === 'api_key_create');
    expect(JSON.stringify(created)).not.toContain(appendKey);
  });

  it('takes 8 concurrent service clients and keeps a gap-free chain that verifies', async () => {
    const before = (await get<AuditPage>('/api/v1/audit?limit=1')).body.head_seq;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, client) =>
        (async () => {
          const seqs: number[] = [];
          for (let index = 0; index < 20; index += 1) {
            const response = await harness.app.inject({
              method: 'POST',
              url: '/api/v1/audit/events',
              headers: { 'x-api-key': appendKey },
              payload: handoff(client * 100 + index),
            });
            expect(response.statusCode).toBe(201);
            seqs.push((response.json() as { seq: number }).seq);
          }
          return seqs;
        })(),
      ),
    );
    const seqs = results.flat().sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(160);
    expect(seqs[0]).toBeGreaterThan(before);
    const verify = (await get<AuditVerifyResult>('/api/v1/audit/verify')).body;
    expect(verify.ok).toBe(true);
    expect(verify.head_seq).toBeGreaterThanOrEqual(seqs.at(-1)!);
    // Gap-free: every seq from 1 to the head is there, in order.
    let all: AuditEntry[] = [];
    let after = 0;
    for (let guard = 0; guard < 100; guard += 1) {
      const page = (await get<AuditPage>(`/api/v1/audit?order=asc&limit=100&after=${after}`)).body;
      all = all.concat(page.entries);
      if (page.next === null) break;
      after = page.next;
    }
    expect(all.map((entry) => entry.seq)).toEqual(
      Array.from({ length: all.length }, (_, index) => index + 1),
    );
    const handoffEntry = all.find((entry) => entry.type === 'agent_handoff');
    expect(handoffEntry?.actor).toMatch(/^api-key:/);
    expect(handoffEntry?.details).toMatchObject({ to_agent: 'coder' });
  });

  it('refuses bad appends with a clear error and writes nothing', async () => {
    const head = (await get<AuditPage>('/api/v1/audit?limit=1')).body.head_seq;
    for (const payload of [
      { ...handoff(1), type: 'login_success' },
      { ...handoff(1), details: { ...handoff(1).details, output: 'the whole text' } },
      { ...handoff(1), details: { ...handoff(1).details, output_sha256: 'xyz' } },
    ]) {
      const response = await harness.app.inject({
        method: 'POST',
        url: '/api/v1/audit/events',
        headers: { 'x-api-key': appendKey },
        payload,
      });
      expect(response.statusCode).toBe(400);
      expect((response.json() as { error: { code: string } }).error.code).toBe('validation_failed');
    }
    expect((await get<AuditPage>('/api/v1/audit?limit=1')).body.head_seq).toBe(head);
  });

  it('pages by keyset both ways and filters by type, actor, time and text', async () => {
    const newest = (await get<AuditPage>('/api/v1/audit?limit=5')).body;
    expect(newest.entries.map((entry) => entry.seq)).toEqual(
      Array.from({ length: 5 }, (_, index) => newest.head_seq - index),
    );
    const older = (await get<AuditPage>(`/api/v1/audit?limit=5&before=${newest.next}`)).body;
    expect(older.entries[0]?.seq).toBe(newest.head_seq - 5);
    const handoffs = (await get<AuditPage>('/api/v1/audit?type=agent_handoff&limit=1000')).body;
    expect(handoffs.entries.length).toBe(160);
    expect(handoffs.entries.every((entry) => entry.type === 'agent_handoff')).toBe(true);
    const byActor = (await get<AuditPage>('/api/v1/audit?actor=admin%40localhost&limit=1000')).body;
    expect(byActor.entries.length).toBeGreaterThan(0);
    expect(byActor.entries.every((entry) => entry.actor === 'admin@localhost')).toBe(true);
    const search = (await get<AuditPage>('/api/v1/audit?q=step%20105%20done&limit=10')).body;
    expect(search.entries.map((entry) => entry.details['reason'])).toEqual(['step 105 done']);
    const literal = (await get<AuditPage>('/api/v1/audit?q=%25&limit=10')).body;
    expect(literal.entries).toEqual([]);
    const future = (await get<AuditPage>('/api/v1/audit?since=2999-01-01T00:00:00.000Z')).body;
    expect(future.entries).toEqual([]);
    const bad = await get<{ error: { code: string } }>('/api/v1/audit?limit=0');
    expect(bad.status).toBe(400);
  });

  it('serves a signed checkpoint that verifies with the served key', async () => {
    const { body } = await get<AuditCheckpoint>('/api/v1/audit/checkpoint');
    const checkpoint = openCheckpoint(body.note, parseVerifierKey(body.verifier_key), body.origin);
    expect(checkpoint.size).toBe(body.size);
    expect(checkpoint.rootHash).toBe(body.root_hash);
    expect(body.origin).toMatch(/\/tlog$/);
    expect(JSON.stringify(body)).not.toMatch(/PRIVATE/);
  });

  it('allows auditors, refuses viewers and keys without the scope', async () => {
    const auditor = await userWithRole(harness.app, admin, 'auditor');
    expect((await get('/api/v1/audit?limit=1', auditor.access_token)).status).toBe(200);
    const viewer = await userWithRole(harness.app, admin, 'viewer');
    expect((await get('/api/v1/audit?limit=1', viewer.access_token)).status).toBe(403);
    const response = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/audit/events',
      headers: bearer(auditor.access_token),
      payload: handoff(7),
    });
    expect(response.statusCode).toBe(403);
  });

  it('exports JSONL with a checkpoint that the offline verifiers accept, and reject once edited', async () => {
    const response = await harness.app.inject({
      method: 'GET',
      url: '/api/v1/audit/export',
      headers: bearer(admin.access_token),
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/application\/x-ndjson/);
    const file = path.join(harness.dataDir, 'export.jsonl');
    await fs.writeFile(file, response.body);
    const { body: checkpoint } = await get<AuditCheckpoint>('/api/v1/audit/checkpoint');
    const lines = response.body.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(/^\{"checkpoint":/);
    for (const cli of ['server/cli.ts', 'electron/core/shells/cli/index.ts']) {
      const run = spawnSync(
        process.execPath,
        [
          cli,
          'audit',
          'verify',
          file,
          '--key',
          checkpoint.verifier_key,
          '--remember',
          path.join(harness.dataDir, `remember-${path.basename(cli)}.json`),
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(run.stdout, run.stderr).toMatch(/^OK: /);
      expect(run.status).toBe(0);
    }
    const edited = response.body.replace('"type":"login_success"', '"type":"login_failure"');
    expect(edited).not.toBe(response.body);
    await fs.writeFile(file, edited);
    const bad = spawnSync(
      process.execPath,
      ['server/cli.ts', 'audit', 'verify', file, '--key', checkpoint.verifier_key],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/TAMPERED.*at seq \d+/);
  }, 120_000);

  it('streams new entries live over SSE to an authenticated client', async () => {
    await harness.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = harness.app.server.address() as AddressInfo;
    const unauthenticated = await new Promise<number>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path: '/api/v1/audit/stream' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(unauthenticated).toBe(401);
    const received: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/api/v1/audit/stream', headers: bearer(admin.access_token) },
        (res) => {
          expect(res.headers['content-type']).toMatch(/text\/event-stream/);
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            received.push(chunk);
            if (received.join('').includes('step 9001 done')) {
              req.destroy();
              resolve();
            }
          });
        },
      );
      req.on('error', (error) => (received.join('').includes('step 9001 done') ? resolve() : reject(error)));
      req.end();
      setTimeout(() => reject(new Error('no SSE event within 10 s')), 10_000).unref();
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const appended = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/audit/events',
      headers: { 'x-api-key': appendKey },
      payload: handoff(9001),
    });
    expect(appended.statusCode).toBe(201);
    await done;
    const event =
      received
        .join('')
        .split('\n\n')
        .find((block) => block.includes('step 9001 done')) ?? '';
    expect(event).toMatch(
      new RegExp(`^id: ${(appended.json() as { seq: number }).seq}\\nevent: entry\\ndata: \\{"seq":`, 'm'),
    );
  });
});
