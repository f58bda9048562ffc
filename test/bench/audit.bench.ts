/**
 * `npm run bench -- audit` → .bench/audit.json:
 *
 * - append_per_s: durable appends per second through the audit service, one writer
 *   awaiting each append (each one its own SQLite commit with synchronous=FULL), beside
 *   its baselines in the same run — the same service with a store that writes the chain
 *   only, no Merkle tree (append_chain_only_per_s; rounds interleaved so both see the same
 *   load), and a bare node:sqlite INSERT + commit of the same row (raw_commit_per_s) — and
 *   the group-commit figure with 64 appends in flight;
 * - verify_1m_s: verifying a 1 000 000-entry JSONL export (the CLI's verifier, parallel),
 *   with its CPU seconds and the bare cost of one SHA-256 per line as the baseline;
 * - page_p99_ms: a 200-entry keyset page deep inside a 1 000 000-entry log (through
 *   the API's store), beside the same SELECT on bare node:sqlite;
 * - inclusion_proof_p99_ms / consistency_proof_p99_ms: RFC 9162 proofs served from the
 *   stored tree (the store's proof reads, as the proof routes call them, server side),
 *   at tree sizes 10 000, 100 000 and 1 000 000 (suffixes _10k, _100k, _1m; the unsuffixed
 *   figures are the 1 000 000-entry ones), for uniformly random leaves and older sizes, with each
 *   proof's hash count and JSON bytes, beside the same stored-hash reads on bare node:sqlite
 *   (*_raw_sqlite_p99_ms); proofs are verified against the roots computed while the log was written.
 * Targets: verify_1m_s ≤ 3, page_p99_ms ≤ 20, both proofs' p99 ≤ 5 ms at 1 000 000,
 * append_ratio_to_chain_only ≥ 0.8; the output ends with one line per target saying met or
 * NOT MET beside its same-run baseline (also `<name>_met` in the JSON). The machine is shared:
 * load average is recorded, and CPU seconds are given where wall time would mostly measure others.
 */
import { hash } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { AUDIT_HASH_PREFIX } from '../../shared/common/audit-event.ts';
import { chainNext, GENESIS_HEAD } from '../../shared/node/audit/audit-canonical.ts';
import { verifyJsonlFile } from '../../shared/node/audit/audit-file-verifier.ts';
import {
  CompactRange,
  consistencyProofRanges,
  coveringSubtrees,
  inclusionProofRanges,
  leafHash,
  storedHashIndex,
  verifyConsistency,
  verifyInclusion,
} from '../../shared/node/audit/merkle-tree.ts';
import { AuditStore, type AuditRow } from '../../server/audit/audit.store.ts';
import { withAuditTables } from '../../server/audit/audit.tables.ts';
import { openDatabase, type Db } from '../../server/db/database.ts';
import { openAudit } from '../server/audit/audit-service-fixture.ts';

const MILLION = 1_000_000;
const APPEND_COUNT = 300;
const PAGE_SAMPLES = 300;
const PROOF_SAMPLES = 300;
const PROOF_SIZES = [
  [10_000, '10k'],
  [100_000, '100k'],
  [MILLION, '1m'],
] as const;

const root = await mkdtemp(path.join(tmpdir(), 'audit-bench-'));
const results: Record<string, number | string> = {
  cores: availableParallelism(),
  load_avg_1m: loadavg()[0] ?? 0,
};

function fields(index: number) {
  return {
    type: index % 7 === 0 ? ('login_failure' as const) : ('agent_handoff' as const),
    actor: `user${index % 50}@example.com`,
    resource: index % 3 === 0 ? `pipeline/run-${index % 97}` : null,
    ip: `10.0.${(index >> 8) & 255}.${index & 255}`,
    request_id: `req-${index}`,
    details: { from_agent: 'planner', to_agent: 'coder', reason: `step ${index}`, n: index },
  };
}

/**
 * The append baseline: the store's transaction as before the Merkle tree — the head read and
 * the entries' insert, no stored hashes (only for this comparison; proofs cannot work on it).
 */
class ChainOnlyStore extends AuditStore {
  readonly #db: Db;
  constructor(db: Db) {
    super(db);
    this.#db = db;
  }
  override async transactChained<T>(
    work: (trx: Db) => Promise<T>,
    build: (head: { seq: number; hash: string } | undefined, value: T) => AuditRow[],
  ): Promise<T> {
    return this.#db.transaction().execute(async (trx) => {
      const value = await work(trx);
      const audit = withAuditTables(trx);
      const head = await audit
        .selectFrom('audit_entries')
        .select(['seq', 'hash'])
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      const rows = build(head, value);
      for (let start = 0; start < rows.length; start += 50)
        await audit
          .insertInto('audit_entries')
          .values(rows.slice(start, start + 50))
          .execute();
      return value;
    });
  }
}

try {
  // --- append_per_s ------------------------------------------------------------
  {
    const { db, audit } = await openAudit(path.join(root, 'append'));
    const chainOnly = await openAudit(
      path.join(root, 'append-chain-only'),
      1_000_000,
      (db) => new ChainOnlyStore(db),
    );
    // Interleaved rounds: the shared machine's load falls on both alike.
    const ROUNDS = 6;
    let treeMs = 0;
    let chainMs = 0;
    let written = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const per = APPEND_COUNT / ROUNDS;
      let start = performance.now();
      for (let index = 0; index < per; index += 1) await audit.appendEntry(fields(written + index));
      treeMs += performance.now() - start;
      start = performance.now();
      for (let index = 0; index < per; index += 1) await chainOnly.audit.appendEntry(fields(written + index));
      chainMs += performance.now() - start;
      written += per;
    }
    results['append_per_s'] = written / (treeMs / 1000);
    results['append_chain_only_per_s'] = written / (chainMs / 1000);
    results['append_ratio_to_chain_only'] = chainMs / treeMs;
    await chainOnly.audit.close();
    await chainOnly.db.destroy();
    let start = performance.now();
    const inFlight = 64;
    const total = APPEND_COUNT * 4;
    await Promise.all(
      Array.from({ length: inFlight }, async (_, worker) => {
        for (let index = worker; index < total; index += inFlight) await audit.appendEntry(fields(index));
      }),
    );
    results['append_group_commit_per_s'] = total / ((performance.now() - start) / 1000);
    await audit.close();
    await db.destroy();

    const raw = new DatabaseSync(path.join(root, 'raw.sqlite'));
    raw.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
    raw.exec('CREATE TABLE t (seq INTEGER PRIMARY KEY, line TEXT NOT NULL)');
    const insert = raw.prepare('INSERT INTO t (seq, line) VALUES (?, ?)');
    const line = chainNext(GENESIS_HEAD, { ...fields(1), ts: new Date().toISOString() }).line;
    start = performance.now();
    for (let index = 1; index <= APPEND_COUNT; index += 1) insert.run(index, line);
    results['raw_commit_per_s'] = APPEND_COUNT / ((performance.now() - start) / 1000);
    raw.close();
    results['append_ratio_to_raw_commit'] =
      Number(results['append_per_s']) / Number(results['raw_commit_per_s']);
  }

  // --- a 1 000 000-entry chain: export file and database -----------------------------
  const exportFile = path.join(root, 'audit-1m.jsonl');
  const logDir = path.join(root, 'log');
  /** The Merkle root at each proof size, and leaf data of a few entries, computed while writing. */
  const roots = new Map<number, Buffer>();
  const lines = new Map<number, string>();
  {
    const migrated = await openDatabase(logDir);
    await migrated.destroy();
    const sqlite = new DatabaseSync(path.join(logDir, 'factory.sqlite'));
    sqlite.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;');
    const insert = sqlite.prepare(
      'INSERT INTO audit_entries (seq, ts, type, actor, resource, ip, request_id, details, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)',
    );
    // The stored tree, as the server's append writes it (merkle-tree.ts storage numbering).
    const insertHash = sqlite.prepare('INSERT INTO audit_tree_hashes (id, hash) VALUES (?, ?)');
    const tree = new CompactRange();
    const out = createWriteStream(exportFile);
    let head: { seq: number; hash: string } = GENESIS_HEAD;
    const base = Date.UTC(2026, 0, 1);
    let chunk: string[] = [];
    const started = performance.now();
    sqlite.exec('BEGIN');
    for (let index = 0; index < MILLION; index += 1) {
      const built = chainNext(head, { ...fields(index), ts: new Date(base + index * 1000).toISOString() });
      const entry = built.entry;
      insert.run(
        entry.seq,
        entry.ts,
        entry.type,
        entry.actor,
        entry.resource,
        entry.ip,
        entry.request_id,
        built.detailsJson,
        entry.prev_hash,
        entry.hash,
      );
      chunk.push(built.line, '\n');
      for (const node of tree.appendLeaf(built.line))
        insertHash.run(storedHashIndex(node.level, node.index), node.hash.toString('hex'));
      if (PROOF_SIZES.some(([size]) => size === index + 1)) roots.set(index + 1, tree.root());
      if (index % 997 === 0) lines.set(entry.seq, built.line);
      if (chunk.length >= 20_000) {
        if (!out.write(chunk.join('')))
          await new Promise<void>((resolve) => out.once('drain', () => resolve()));
        chunk = [];
      }
      if (index % 100_000 === 99_999) {
        sqlite.exec('COMMIT; BEGIN');
      }
      head = entry;
    }
    sqlite.exec('COMMIT');
    sqlite.close();
    await new Promise<void>((resolve) => out.end(chunk.join(''), () => resolve()));
    results['setup_1m_s'] = (performance.now() - started) / 1000;
  }

  // --- verify_1m_s ------------------------------------------------------------
  {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const verified = await verifyJsonlFile(exportFile);
    results['verify_1m_s'] = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    results['verify_1m_cpu_s'] = (used.user + used.system) / 1e6;
    if (!verified.result.ok || verified.result.head_seq !== MILLION)
      throw new Error('the 1M export did not verify');
    // Baseline: one SHA-256 per line of the same bytes, nothing else (one thread).
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(exportFile, 'utf8')).split('\n');
    const hashStart = performance.now();
    for (const line of lines) hash('sha256', AUDIT_HASH_PREFIX + line);
    results['sha256_per_line_1m_s'] = (performance.now() - hashStart) / 1000;
  }

  // --- page_p99_ms -------------------------------------------------------------
  {
    const db = await openDatabase(logDir);
    const store = new AuditStore(db);
    const timings: number[] = [];
    for (let sample = 0; sample < PAGE_SAMPLES; sample += 1) {
      const before = 300_000 + Math.floor(Math.random() * 400_000);
      const start = performance.now();
      const rows = await store.page({ before, limit: 200, order: 'desc' });
      timings.push(performance.now() - start);
      if (rows.length !== 200 || rows[0]?.seq !== before - 1) throw new Error('deep page is wrong');
    }
    const filtered: number[] = [];
    for (let sample = 0; sample < PAGE_SAMPLES / 3; sample += 1) {
      const before = 300_000 + Math.floor(Math.random() * 400_000);
      const start = performance.now();
      await store.page({ before, limit: 200, order: 'desc', type: 'login_failure' });
      filtered.push(performance.now() - start);
    }
    await db.destroy();
    const raw = new DatabaseSync(path.join(logDir, 'factory.sqlite'));
    const select = raw.prepare('SELECT * FROM audit_entries WHERE seq < ? ORDER BY seq DESC LIMIT 200');
    const rawTimings: number[] = [];
    for (let sample = 0; sample < PAGE_SAMPLES; sample += 1) {
      const before = 300_000 + Math.floor(Math.random() * 400_000);
      const start = performance.now();
      select.all(before);
      rawTimings.push(performance.now() - start);
    }
    raw.close();
    const p99 = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.99) - 1] ?? 0;
    results['page_p99_ms'] = p99(timings);
    results['page_filtered_p99_ms'] = p99(filtered);
    results['page_raw_sqlite_p99_ms'] = p99(rawTimings);
  }

  // --- inclusion_proof_p99_ms / consistency_proof_p99_ms -----------------------------
  {
    const db = await openDatabase(logDir);
    const store = new AuditStore(db);
    // The baseline: the same stored hashes read one by one through a prepared statement on bare
    // node:sqlite (no query building, no folding), for the same proof parameters.
    const raw = new DatabaseSync(path.join(logDir, 'factory.sqlite'), { readOnly: true });
    const readHash = raw.prepare('SELECT hash FROM audit_tree_hashes WHERE id = ?');
    const rawReads = (ranges: readonly (readonly [number, number])[]) => {
      const ids = new Set(
        ranges.flatMap(([start, end]) =>
          coveringSubtrees(start, end).map(({ level, index }) => storedHashIndex(level, index)),
        ),
      );
      for (const id of ids) if (readHash.get(id) === undefined) throw new Error(`no stored hash ${id}`);
    };
    const p99 = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.99) - 1] ?? 0;
    const p50 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const sampled = [...lines.keys()];
    for (const [size, suffix] of PROOF_SIZES) {
      const root = roots.get(size);
      if (!root) throw new Error(`no root for size ${size}`);
      // Uniformly random leaves and older sizes, so neither proof runs on a warmed-up few.
      const seqs = Array.from({ length: PROOF_SAMPLES }, () => 1 + Math.floor(Math.random() * size));
      const froms = Array.from({ length: PROOF_SAMPLES }, () => 1 + Math.floor(Math.random() * (size - 1)));
      const inclusion: number[] = [];
      let inclusionHashes = 0;
      let inclusionBytes = 0;
      for (const seq of seqs) {
        const start = performance.now();
        const hashes = await store.inclusionProof(seq, size);
        const body = JSON.stringify({
          leaf_index: seq - 1,
          tree_size: size,
          hashes: hashes.map((item) => item.toString('base64')),
        });
        inclusion.push(performance.now() - start);
        inclusionHashes = Math.max(inclusionHashes, hashes.length);
        inclusionBytes = Math.max(inclusionBytes, Buffer.byteLength(body));
      }
      // Verified for the leaves whose data was kept while writing.
      for (const seq of sampled.filter((known) => known <= size).slice(0, 50)) {
        const hashes = await store.inclusionProof(seq, size);
        if (!verifyInclusion(seq - 1, size, leafHash(lines.get(seq)!), hashes, root))
          throw new Error(`inclusion proof of ${seq} in ${size} does not verify`);
      }
      const consistency: number[] = [];
      let consistencyHashes = 0;
      let consistencyBytes = 0;
      for (const from of froms) {
        const start = performance.now();
        const hashes = await store.consistencyProof(from, size);
        const body = JSON.stringify({
          from,
          to: size,
          hashes: hashes.map((item) => item.toString('base64')),
        });
        consistency.push(performance.now() - start);
        consistencyHashes = Math.max(consistencyHashes, hashes.length);
        consistencyBytes = Math.max(consistencyBytes, Buffer.byteLength(body));
      }
      // Verified between the sizes whose roots are known.
      for (const [from] of PROOF_SIZES.filter(([other]) => other < size)) {
        const hashes = await store.consistencyProof(from, size);
        if (!verifyConsistency(from, size, roots.get(from)!, root, hashes))
          throw new Error(`consistency proof ${from} → ${size} does not verify`);
      }
      const rawInclusion: number[] = [];
      for (const seq of seqs) {
        const start = performance.now();
        rawReads(inclusionProofRanges(seq - 1, size));
        rawInclusion.push(performance.now() - start);
      }
      const rawConsistency: number[] = [];
      for (const from of froms) {
        const start = performance.now();
        rawReads(consistencyProofRanges(from, size));
        rawConsistency.push(performance.now() - start);
      }
      results[`inclusion_proof_p50_ms_${suffix}`] = p50(inclusion);
      results[`inclusion_proof_p99_ms_${suffix}`] = p99(inclusion);
      results[`inclusion_proof_raw_sqlite_p99_ms_${suffix}`] = p99(rawInclusion);
      results[`inclusion_proof_hashes_${suffix}`] = inclusionHashes;
      results[`inclusion_proof_json_bytes_${suffix}`] = inclusionBytes;
      results[`consistency_proof_p50_ms_${suffix}`] = p50(consistency);
      results[`consistency_proof_p99_ms_${suffix}`] = p99(consistency);
      results[`consistency_proof_raw_sqlite_p99_ms_${suffix}`] = p99(rawConsistency);
      results[`consistency_proof_hashes_max_${suffix}`] = consistencyHashes;
      results[`consistency_proof_json_bytes_max_${suffix}`] = consistencyBytes;
    }
    raw.close();
    await db.destroy();
    results['inclusion_proof_p99_ms'] = results['inclusion_proof_p99_ms_1m']!;
    results['consistency_proof_p99_ms'] = results['consistency_proof_p99_ms_1m']!;
  }

  results['verify_ratio_to_sha256_per_line'] =
    Number(results['verify_1m_s']) / Number(results['sha256_per_line_1m_s']);
  results['page_ratio_to_raw_sqlite'] =
    Number(results['page_p99_ms']) / Number(results['page_raw_sqlite_p99_ms']);
  // One line per target: the figure, the target, met or not, and its same-run baseline.
  const targets: {
    name: string;
    limit: number;
    atLeast?: boolean;
    baseline: string;
  }[] = [
    { name: 'verify_1m_s', limit: 3, baseline: 'sha256_per_line_1m_s' },
    { name: 'page_p99_ms', limit: 20, baseline: 'page_raw_sqlite_p99_ms' },
    { name: 'inclusion_proof_p99_ms', limit: 5, baseline: 'inclusion_proof_raw_sqlite_p99_ms_1m' },
    { name: 'consistency_proof_p99_ms', limit: 5, baseline: 'consistency_proof_raw_sqlite_p99_ms_1m' },
    { name: 'append_ratio_to_chain_only', limit: 0.8, atLeast: true, baseline: 'append_chain_only_per_s' },
  ];
  const targetLines = targets.map(({ name, limit, atLeast, baseline }) => {
    const value = Number(results[name]);
    const met = atLeast ? value >= limit : value <= limit;
    results[`${name}_target`] = limit;
    results[`${name}_met`] = met ? 'met' : 'not met';
    return (
      `${name} ${value.toFixed(3)} (target ${atLeast ? '≥' : '≤'} ${limit}): ${met ? 'met' : 'NOT MET'}` +
      `; same-run baseline ${baseline} ${Number(results[baseline]).toFixed(3)}`
    );
  });
  results['load_avg_1m_end'] = loadavg()[0] ?? 0;
  mkdirSync('.bench', { recursive: true });
  writeFileSync('.bench/audit.json', `${JSON.stringify(results, null, 2)}\n`);
  const rows = Object.entries(results).map(([key, value]) => [
    key,
    typeof value === 'number' ? value.toFixed(3) : value,
  ]);
  const width = Math.max(...rows.map(([key]) => String(key).length));
  process.stdout.write(
    `${rows.map(([key, value]) => `${String(key).padEnd(width)}  ${value}`).join('\n')}\n\ntargets:\n${targetLines.map((line) => `  ${line}`).join('\n')}\n`,
  );
} finally {
  await rm(root, { recursive: true, force: true });
}
