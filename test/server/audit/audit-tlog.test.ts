/**
 * The audit log as a transparency log through the HTTP API: tree checkpoints whose root is the
 * RFC 6962 root of the exported lines, inclusion and consistency proofs that verify against
 * them, C2SP tiles and entry bundles with their cache headers, and clear 400s for bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AuditCheckpoint,
  AuditConsistencyProof,
  AuditInclusionProof,
  AuditVerifyResult,
} from '../../../shared/common/audit-event.ts';
import { openCheckpoint } from '../../../shared/node/audit/audit-checkpoint.ts';
import {
  CompactRange,
  leafHash,
  verifyConsistency,
  verifyInclusion,
} from '../../../shared/node/audit/merkle-tree.ts';
import { decodeEntryBundle } from '../../../shared/node/audit/tlog-tiles.ts';
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

const get = async (url: string, token = admin.access_token) =>
  harness.app.inject({ method: 'GET', url, headers: bearer(token) });
const json = async <T>(url: string): Promise<T> => {
  const response = await get(url);
  expect(response.statusCode, `${url}: ${response.body}`).toBe(200);
  return response.json() as T;
};

async function appendMany(count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const response = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/audit/events',
      headers: { 'x-api-key': appendKey },
      payload: handoff(index),
    });
    expect(response.statusCode).toBe(201);
  }
}

/** The export's entry lines (without the checkpoint trailer). */
async function exportedLines(): Promise<string[]> {
  const response = await get('/api/v1/audit/export');
  expect(response.statusCode).toBe(200);
  return response.body.split('\n').filter((line) => line.startsWith('{"seq":'));
}

const fromBase64 = (hashes: string[]) => hashes.map((hash) => Buffer.from(hash, 'base64'));

describe('audit transparency log', () => {
  let first: AuditCheckpoint;
  let second: AuditCheckpoint;
  let lines: string[];

  beforeAll(async () => {
    await appendMany(20);
    first = await json<AuditCheckpoint>('/api/v1/audit/checkpoint');
    await appendMany(300);
    lines = await exportedLines();
    second = await json<AuditCheckpoint>('/api/v1/audit/checkpoint');
  });

  it('signs a C2SP tree checkpoint whose root is the RFC 6962 root of the exported lines', () => {
    const verifier = parseVerifierKey(second.verifier_key);
    const body = openCheckpoint(second.note, verifier, second.origin);
    expect(body.size).toBe(second.size);
    expect(second.size).toBeGreaterThanOrEqual(320);
    const tree = new CompactRange();
    for (const line of lines.slice(0, second.size)) tree.appendLeaf(line);
    expect(tree.root().toString('hex')).toBe(body.rootHash);
    expect(second.root_hash).toBe(body.rootHash);
    expect(second.note.split('\n').slice(0, 3)).toEqual([
      second.origin,
      String(second.size),
      Buffer.from(body.rootHash, 'hex').toString('base64'),
    ]);
  });

  it('serves inclusion proofs that verify against the checkpoint root, for every sampled entry', async () => {
    const root = Buffer.from(second.root_hash, 'hex');
    for (const seq of [1, 2, 17, 255, 256, 257, second.size - 1, second.size]) {
      const proof = await json<AuditInclusionProof>(
        `/api/v1/audit/proof/inclusion?seq=${seq}&size=${second.size}`,
      );
      expect(proof.leaf_index).toBe(seq - 1);
      expect(proof.tree_size).toBe(second.size);
      const leaf = leafHash(lines[seq - 1]!);
      expect(verifyInclusion(seq - 1, second.size, leaf, fromBase64(proof.hashes), root)).toBe(true);
      // The proof binds the exact line: another entry's line does not verify with it.
      const other = leafHash(lines[seq % second.size]!);
      expect(verifyInclusion(seq - 1, second.size, other, fromBase64(proof.hashes), root)).toBe(false);
    }
  });

  it('serves a consistency proof from the older checkpoint to the newer one', async () => {
    const proof = await json<AuditConsistencyProof>(
      `/api/v1/audit/proof/consistency?from=${first.size}&to=${second.size}`,
    );
    expect(proof).toMatchObject({ from: first.size, to: second.size });
    const older = Buffer.from(first.root_hash, 'hex');
    const newer = Buffer.from(second.root_hash, 'hex');
    expect(verifyConsistency(first.size, second.size, older, newer, fromBase64(proof.hashes))).toBe(true);
    expect(verifyConsistency(first.size, second.size, newer, newer, fromBase64(proof.hashes))).toBe(false);
    const same = await json<AuditConsistencyProof>(
      `/api/v1/audit/proof/consistency?from=${second.size}&to=${second.size}`,
    );
    expect(same.hashes).toEqual([]);
  });

  it('refuses proofs outside the log with 400 and a clear code', async () => {
    const beyond = second.size + 10_000;
    for (const [url, code] of [
      [`/api/v1/audit/proof/inclusion?seq=1&size=${beyond}`, 'proof_out_of_range'],
      [`/api/v1/audit/proof/inclusion?seq=${second.size + 1}&size=${second.size}`, 'proof_out_of_range'],
      ['/api/v1/audit/proof/inclusion?seq=0&size=5', 'validation_failed'],
      ['/api/v1/audit/proof/inclusion?seq=abc&size=5', 'validation_failed'],
      ['/api/v1/audit/proof/inclusion?seq=1', 'validation_failed'],
      [`/api/v1/audit/proof/consistency?from=5&to=4`, 'proof_out_of_range'],
      [`/api/v1/audit/proof/consistency?from=1&to=${beyond}`, 'proof_out_of_range'],
      ['/api/v1/audit/proof/consistency?from=-1&to=4', 'validation_failed'],
      ['/api/v1/audit/tlog/tile/0/1', 'bad_tile_path'],
      ['/api/v1/audit/tlog/tile/0/001.p/256', 'bad_tile_path'],
      ['/api/v1/audit/tlog/tile/x/000', 'bad_tile_path'],
    ] as const) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(400);
      expect((response.json() as { error: { code: string; message: string } }).error.code, url).toBe(code);
    }
    expect((await get('/api/v1/audit/tlog/tile/0/x001/000')).statusCode).toBe(404);
  });

  it('serves C2SP tiles: a full level-0 tile of leaf hashes, immutable; a partial one not cached', async () => {
    const full = await get('/api/v1/audit/tlog/tile/0/000');
    expect(full.statusCode).toBe(200);
    expect(full.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(full.headers['content-type']).toBe('application/octet-stream');
    const expected = Buffer.concat(lines.slice(0, 256).map((line) => leafHash(line)));
    expect(full.rawPayload.equals(expected)).toBe(true);
    const width = second.size - 256;
    const partial = await get(`/api/v1/audit/tlog/tile/0/001.p/${Math.min(width, 10)}`);
    expect(partial.statusCode).toBe(200);
    expect(partial.headers['cache-control']).toBe('public, no-cache');
    expect(partial.rawPayload.length).toBe(32 * Math.min(width, 10));
    // Level 1 holds the roots of the level-0 tiles: its first hash is the root of leaves 0…255.
    const level1 = await get('/api/v1/audit/tlog/tile/1/000.p/1');
    const tile0 = new CompactRange();
    for (const line of lines.slice(0, 256)) tile0.appendLeaf(line);
    expect(level1.rawPayload.equals(tile0.root())).toBe(true);
  });

  it('serves entry bundles holding the exported lines, private to the caller', async () => {
    const bundle = await get('/api/v1/audit/tlog/tile/entries/000');
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    expect(decodeEntryBundle(bundle.rawPayload).map((entry) => entry.toString('utf8'))).toEqual(
      lines.slice(0, 256),
    );
  });

  it('serves the checkpoint note as text at tlog/checkpoint', async () => {
    const response = await get('/api/v1/audit/tlog/checkpoint');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const body = openCheckpoint(response.body, parseVerifierKey(second.verifier_key));
    expect(body.size).toBeGreaterThanOrEqual(second.size);
  });

  it('checks the stored tree against the entries when verifying', async () => {
    const result = await json<AuditVerifyResult>('/api/v1/audit/verify');
    expect(result.ok, JSON.stringify(result)).toBe(true);
    // Damage the newest stored hash (a subtree on the tree's right edge): verification names
    // the tree, not the chain.
    const tree = harness.app.db.withTables<{ audit_tree_hashes: { id: number; hash: string } }>();
    const newest = await tree
      .selectFrom('audit_tree_hashes')
      .select('id')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    await tree
      .updateTable('audit_tree_hashes')
      .set({ hash: '00'.repeat(32) })
      .where('id', '=', newest.id)
      .execute();
    const damaged = await json<AuditVerifyResult>('/api/v1/audit/verify');
    expect(damaged.ok).toBe(false);
    expect(damaged.reason).toBe('tree_mismatch');
  });

  it('refuses viewers', async () => {
    const viewer = await userWithRole(harness.app, admin, 'viewer');
    for (const url of [
      '/api/v1/audit/proof/inclusion?seq=1&size=1',
      '/api/v1/audit/proof/consistency?from=0&to=1',
      '/api/v1/audit/tlog/checkpoint',
      '/api/v1/audit/tlog/tile/0/000',
    ]) {
      expect((await get(url, viewer.access_token)).statusCode, url).toBe(403);
    }
  });
});
