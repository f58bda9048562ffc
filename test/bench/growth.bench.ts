/**
 * `npm run bench -- growth`: how the figures scale with size.
 *
 * - unlock (`unlock --out` from a cold vault, and into the vault only) of 64 MiB and
 *   1 GiB — and 8 GiB with GROWTH_BENCH_8G=1 (it needs about 4 × 8 GiB of free disk:
 *   the original, the server's copy, the vault and the export) — by running
 *   unlock.bench.ts at each size: seconds per GiB must stay flat;
 * - offline audit verify of a JSONL export (the CLI's verifier) of 10^5 and 10^6
 *   entries — and 10^7 with GROWTH_BENCH_10M=1 (about 3 GB of disk and minutes to
 *   write): microseconds per entry must stay flat.
 *
 * Writes .bench/growth.json.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { chainNext, GENESIS_HEAD } from '../../shared/node/audit/audit-canonical.ts';
import { verifyJsonlFile } from '../../shared/node/audit/audit-file-verifier.ts';
import { round } from './bench-fixture.ts';

const unlockSizes = [64, 1024, ...(process.env['GROWTH_BENCH_8G'] === '1' ? [8192] : [])];
const auditCounts = [100_000, 1_000_000, ...(process.env['GROWTH_BENCH_10M'] === '1' ? [10_000_000] : [])];

const root = await mkdtemp(path.join(tmpdir(), 'growth-bench-'));
try {
  const unlock: Array<Record<string, number>> = [];
  for (const mib of unlockSizes) {
    const out = path.join(root, `unlock-${mib}.json`);
    const run = spawnSync(process.execPath, ['--expose-gc', 'test/bench/unlock.bench.ts'], {
      env: { ...process.env, UNLOCK_BENCH_MIB: String(mib), UNLOCK_BENCH_RUNS: '1', UNLOCK_BENCH_OUT: out },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (run.status !== 0) throw new Error(`unlock bench at ${mib} MiB failed`);
    const figures = JSON.parse(readFileSync(out, 'utf8')) as Record<string, number>;
    const gib = mib / 1024;
    unlock.push({
      size_mib: mib,
      unlock_out_s_per_gib: round(figures['unlock_seconds']! / gib, 2),
      unlock_out_mb_s: figures['unlock_mb_s']!,
      unlock_to_vault_mb_s: figures['unlock_to_vault_mb_s']!,
      curl_download_mb_s: figures['curl_download_mb_s']!,
      // The shipped CLI in a process of its own (the memory target), then the same
      // pipeline in the bench's process from the sources (unlock.bench.ts says how each is taken).
      cli_rss_growth_beyond_kdf_mb: figures['cli_rss_growth_beyond_kdf_mb']!,
      cli_unlock_peak_rss_mib: figures['cli_unlock_peak_rss_mib']!,
      cli_kdf_rss_mib: figures['cli_kdf_rss_mib']!,
      rss_growth_beyond_kdf_mb: figures['rss_growth_beyond_kdf_mb']!,
      rss_growth_kdf_mb: figures['rss_growth_kdf_mb']!,
    });
    process.stdout.write(`unlock ${mib} MiB: ${JSON.stringify(unlock.at(-1))}\n`);
  }

  const audit: Array<Record<string, number>> = [];
  for (const count of auditCounts) {
    const file = path.join(root, `audit-${count}.jsonl`);
    await writeAuditExport(file, count);
    const cpu = process.cpuUsage();
    const started = performance.now();
    const verified = await verifyJsonlFile(file);
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    if (!verified.result.ok || verified.result.head_seq !== count)
      throw new Error(`the ${count}-entry export did not verify`);
    audit.push({
      entries: count,
      file_mb: round((await stat(file)).size / 1e6),
      verify_s: round(seconds, 2),
      verify_us_per_entry: round((seconds / count) * 1e6, 2),
      verify_cpu_s: round((used.user + used.system) / 1e6, 2),
    });
    process.stdout.write(`audit verify ${count}: ${JSON.stringify(audit.at(-1))}\n`);
    await rm(file);
  }

  const result = {
    unlock,
    audit,
    unlock_s_per_gib_spread: spread(unlock.map((row) => row['unlock_out_s_per_gib']!)),
    audit_us_per_entry_spread: spread(audit.map((row) => row['verify_us_per_entry']!)),
    load_average_1m: round(loadavg()[0] ?? 0, 2),
    not_run: [
      ...(unlockSizes.includes(8192) ? [] : ['unlock 8 GiB (GROWTH_BENCH_8G=1)']),
      ...(auditCounts.includes(10_000_000) ? [] : ['audit verify 10^7 (GROWTH_BENCH_10M=1)']),
    ],
  };
  mkdirSync('.bench', { recursive: true });
  writeFileSync('.bench/growth.json', `${JSON.stringify(result, null, 2)}\n`);
  console.table(unlock);
  for (const row of unlock) {
    const beyond = row['cli_rss_growth_beyond_kdf_mb']!;
    console.log(
      `cli_rss_growth_beyond_kdf_mb at ${row['size_mib']} MiB ${beyond} (target ≤ 64: ${beyond <= 64 ? 'met' : 'NOT met'}; the CLI's peak ${row['cli_unlock_peak_rss_mib']} MiB, the KDF alone ${row['cli_kdf_rss_mib']} MiB, same run)`,
    );
  }
  console.table(audit);
  console.log(
    `unlock s/GiB largest/smallest ${result.unlock_s_per_gib_spread}; audit µs/entry largest/smallest ${result.audit_us_per_entry_spread} (flat = near 1)`,
  );
} finally {
  await rm(root, { recursive: true, force: true });
}

/** Largest over smallest of a per-unit figure: 1 is perfectly flat. */
function spread(values: number[]): number {
  return round(Math.max(...values) / Math.min(...values), 2);
}

async function writeAuditExport(file: string, count: number): Promise<void> {
  const out = createWriteStream(file);
  let head: { seq: number; hash: string } = GENESIS_HEAD;
  const base = Date.UTC(2026, 0, 1);
  let chunk: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const built = chainNext(head, {
      type: index % 7 === 0 ? ('login_failure' as const) : ('agent_handoff' as const),
      actor: `user${index % 50}@example.com`,
      resource: index % 3 === 0 ? `pipeline/run-${index % 97}` : null,
      ip: `10.0.${(index >> 8) & 255}.${index & 255}`,
      request_id: `req-${index}`,
      details: { from_agent: 'planner', to_agent: 'coder', reason: `step ${index}`, n: index },
      ts: new Date(base + index * 1000).toISOString(),
    });
    head = { seq: built.entry.seq, hash: built.entry.hash };
    chunk.push(built.line, '\n');
    if (chunk.length >= 20_000) {
      if (!out.write(chunk.join('')))
        await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      chunk = [];
    }
  }
  out.write(chunk.join(''));
  await new Promise<void>((resolve) => out.end(() => resolve()));
}
