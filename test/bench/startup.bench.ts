/**
 * `npm run bench -- startup`: how long `factory-console status` and `fingerprint` take
 * from spawn to exit, as an operator types them after `npm run build:cli && npm link`
 * (bin/factory-console.js running the bundle), against `node -e 0` in the same run.
 *
 * - cold: a fresh, empty V8 compile cache (NODE_COMPILE_CACHE) per run — the first run
 *   after a build or on a new machine. The files themselves are in the OS page cache
 *   (dropping it needs root and would disturb everything else on the machine);
 * - warm: the same compile cache, after one run filled it;
 * - sources: FACTORY_CONSOLE_FROM_SOURCES=1 (type-stripped TypeScript, as before the
 *   bundle), and `npx factory-console status` once, for comparison.
 *
 * Medians of RUNS runs. Targets: cold ≤ 0.5 s, warm ≤ 0.15 s. Writes .bench/startup.json.
 * Beside each wall-clock figure, the CPU-seconds the command used (user + system, its
 * own children included, from this process's cutime/cstime in /proc/self/stat, 10 ms
 * ticks): on a machine shared with other work, wall-clock grows with the load while
 * the CPU-seconds stay close to what the command itself costs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { buildCli, round } from './bench-fixture.ts';

const RUNS = Number(process.env['STARTUP_BENCH_RUNS'] ?? 7);
const TARGETS = { cold_s: 0.5, warm_s: 0.15 };

buildCli();

const scratch = mkdtempSync(path.join(tmpdir(), 'startup-bench-'));
const home = path.join(scratch, 'home'); // a console that is not activated: status reads it, nothing else
mkdirSync(home, { mode: 0o700 });

/** CPU-seconds of this process's reaped children so far (Linux; clock ticks of 10 ms). */
function childrenCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** CPU-seconds of the last command `seconds` ran. */
let lastCpuSeconds = 0;

function seconds(command: string, args: string[], env: Record<string, string> = {}): number {
  const cpuBefore = childrenCpuSeconds();
  const started = performance.now();
  const result = spawnSync(command, args, {
    env: { ...process.env, FACTORY_CONSOLE_HOME: home, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    timeout: 60_000,
  });
  const elapsed = (performance.now() - started) / 1000;
  lastCpuSeconds = childrenCpuSeconds() - cpuBefore;
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const bin = 'bin/factory-console.js';
const samples: Record<string, number[]> = {};
const add = (key: string, value: number) => {
  (samples[key] ??= []).push(value);
  (samples[`${key}_cpu`] ??= []).push(lastCpuSeconds);
};
try {
  for (let run = 0; run < RUNS; run++) {
    // Interleaved, so drift on a shared machine hits every figure alike.
    add('node_e_0', seconds(process.execPath, ['-e', '0']));
    for (const command of ['status', 'fingerprint']) {
      const cache = mkdtempSync(path.join(scratch, 'compile-cache-'));
      add(`${command}_cold`, seconds(process.execPath, [bin, command], { NODE_COMPILE_CACHE: cache }));
      add(`${command}_warm`, seconds(process.execPath, [bin, command], { NODE_COMPILE_CACHE: cache }));
      add(
        `${command}_sources`,
        seconds(process.execPath, [bin, command], { FACTORY_CONSOLE_FROM_SOURCES: '1' }),
      );
    }
  }
  const npx = seconds('npx', ['--no-install', 'factory-console', 'status']);
  const figure = (key: string) => round(median(samples[key]!), 3);
  const baseline = figure('node_e_0');
  const result = {
    runs: RUNS,
    node_e_0_s: baseline,
    status_cold_s: figure('status_cold'),
    status_warm_s: figure('status_warm'),
    status_sources_s: figure('status_sources'),
    fingerprint_cold_s: figure('fingerprint_cold'),
    fingerprint_warm_s: figure('fingerprint_warm'),
    fingerprint_sources_s: figure('fingerprint_sources'),
    npx_status_s: round(npx, 3),
    node_e_0_cpu_s: figure('node_e_0_cpu'),
    status_cold_cpu_s: figure('status_cold_cpu'),
    status_warm_cpu_s: figure('status_warm_cpu'),
    fingerprint_cold_cpu_s: figure('fingerprint_cold_cpu'),
    fingerprint_warm_cpu_s: figure('fingerprint_warm_cpu'),
    // What the CLI adds to Node's own start-up, same run.
    status_warm_over_node_s: round(figure('status_warm') - baseline, 3),
    fingerprint_warm_over_node_s: round(figure('fingerprint_warm') - baseline, 3),
    all_runs_s: Object.fromEntries(
      Object.entries(samples).map(([key, values]) => [key, values.map((v) => round(v, 3))]),
    ),
    load_average_1m: round(loadavg()[0] ?? 0, 2),
    targets: TARGETS,
  };
  mkdirSync('.bench', { recursive: true });
  writeFileSync('.bench/startup.json', `${JSON.stringify(result, null, 2)}\n`);
  console.table(
    Object.fromEntries(
      Object.entries(result)
        .filter(([, value]) => typeof value !== 'object')
        .map(([key, value]) => [key, { value }]),
    ),
  );
  for (const command of ['status', 'fingerprint'] as const) {
    for (const phase of ['cold', 'warm'] as const) {
      const value = result[`${command}_${phase}_s`];
      const cpu = result[`${command}_${phase}_cpu_s`];
      const target = TARGETS[`${phase}_s`];
      console.log(
        `${command} ${phase} ${value} s (target ≤ ${target} s: ${value <= target ? 'met' : 'NOT met'}; node -e 0 ${baseline} s same run; ` +
          `CPU ${cpu} s, node -e 0 CPU ${result.node_e_0_cpu_s} s; load ${result.load_average_1m})`,
      );
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
