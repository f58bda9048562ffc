/**
 * `npm run bench -- server`: requests per second of the Factory API with every
 * security layer on (an authenticated GET /api/v1/status) against a bare Fastify
 * route, same machine, same run, over loopback with autocannon (docs/ARCHITECTURE.md §Performance targets).
 * Target: ratio = rps_secured / rps_bare ≥ 0.5. Writes .bench/server.json.
 *
 * Each server runs in its own process (server-target.ts) so autocannon does not share
 * its event loop; rounds alternate bare/secured so drift on a shared machine hits both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import { cpuSecondsOf } from './bench-fixture.ts';

const TARGET = path.join(import.meta.dirname, 'server-target.ts');
const CONNECTIONS = 32;
const DURATION_S = 8;
const WARMUP_S = 2;
const ROUNDS = 2;

interface Target {
  child: ChildProcess;
  url: string;
  token?: string;
}

async function startTarget(mode: 'secured' | 'bare'): Promise<Target> {
  const child = spawn(process.execPath, ['--no-warnings', TARGET, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${mode} target exited with ${code}`)));
  });
  lines.close();
  const info = JSON.parse(first) as { url: string; token?: string };
  return { child, ...info };
}

async function stopTarget(target: Target): Promise<void> {
  const exited = new Promise((resolve) => target.child.once('exit', resolve));
  target.child.kill('SIGTERM');
  await exited;
}

interface Run {
  rps: number;
  p99: number;
  /** Server CPU time per request, microseconds. */
  cpuUs: number;
}

async function load(target: Target, seconds: number): Promise<Run & { non2xx: number }> {
  const cpuBefore = cpuSecondsOf(target.child.pid!);
  const result = await autocannon({
    url: target.url,
    connections: CONNECTIONS,
    duration: seconds,
    headers: target.token ? { authorization: `Bearer ${target.token}` } : {},
  });
  const cpu = cpuSecondsOf(target.child.pid!) - cpuBefore;
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    cpuUs: (cpu / Math.max(1, result.requests.total)) * 1e6,
    non2xx: result.non2xx + result.errors,
  };
}

async function measure(mode: 'secured' | 'bare'): Promise<Run> {
  const target = await startTarget(mode);
  try {
    await load(target, WARMUP_S);
    const run = await load(target, DURATION_S);
    if (run.non2xx > 0) throw new Error(`${mode}: ${run.non2xx} responses were not 2xx`);
    return run;
  } finally {
    await stopTarget(target);
  }
}

const bare: Run[] = [];
const secured: Run[] = [];
for (let round = 0; round < ROUNDS; round += 1) {
  bare.push(await measure('bare'));
  secured.push(await measure('secured'));
}
const best = (runs: Run[]) => runs.reduce((a, b) => (b.rps > a.rps ? b : a));
const leastCpu = (runs: Run[]) => Math.min(...runs.map((run) => run.cpuUs));
const rpsBare = best(bare).rps;
const bestSecured = best(secured);
const result = {
  rps_secured: Math.round(bestSecured.rps),
  rps_bare: Math.round(rpsBare),
  ratio: Number((bestSecured.rps / rpsBare).toFixed(3)),
  target_ratio: 0.5,
  p99_ms_secured: bestSecured.p99,
  p99_ms_bare: best(bare).p99,
  /** Server CPU per request (µs) and their ratio: the same comparison, immune to other load on the machine. */
  cpu_us_per_request_secured: Number(leastCpu(secured).toFixed(1)),
  cpu_us_per_request_bare: Number(leastCpu(bare).toFixed(1)),
  ratio_cpu: Number((leastCpu(bare) / leastCpu(secured)).toFixed(3)),
  load_average: loadavg().map((value) => Number(value.toFixed(2))),
  connections: CONNECTIONS,
  duration_s: DURATION_S,
  rounds: ROUNDS,
  all_rps_secured: secured.map((run) => Math.round(run.rps)),
  all_rps_bare: bare.map((run) => Math.round(run.rps)),
};
console.table([
  {
    server: 'bare Fastify route',
    rps: result.rps_bare,
    p99_ms: result.p99_ms_bare,
    cpu_us_per_request: result.cpu_us_per_request_bare,
  },
  {
    server: 'Factory API, every layer on',
    rps: result.rps_secured,
    p99_ms: result.p99_ms_secured,
    cpu_us_per_request: result.cpu_us_per_request_secured,
  },
]);
console.log(
  `ratio ${result.ratio} (target ≥ ${result.target_ratio}); CPU-time ratio ${result.ratio_cpu}; load average ${result.load_average.join(' ')}`,
);
mkdirSync('.bench', { recursive: true });
writeFileSync('.bench/server.json', `${JSON.stringify(result, null, 2)}\n`);
