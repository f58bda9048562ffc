/**
 * `npx node test/bench/server-profile.ts [secured|bare]`: where a request's CPU goes. Runs
 * the bench's server (server-target.ts) under `--cpu-prof`, loads it with autocannon
 * (32 connections, 10 s), and prints each layer's share of the busy samples of the load
 * window and its µs per request (docs/SERVER.md §Performance). The profile is left in
 * `.bench/profile/` for Chrome DevTools.
 *
 * Attribution: a sample goes to the innermost hook or handler on its stack, and stops at
 * Fastify's hook runner, so a hook that calls `done()` is not charged for the hooks and
 * the response that follow it. Samples are wall-clock: on a busy machine the socket write
 * also holds the time the process waited to run again, so that row is not CPU.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

const mode = process.argv[2] === 'bare' ? 'bare' : 'secured';
const TARGET = path.join(import.meta.dirname, 'server-target.ts');
const DIR = path.resolve('.bench/profile');
const INTERVAL_US = 200;
const SECONDS = 10;

/** Layer of a stack frame: `file:line` of a hook (its first line) or a function name. */
const LAYERS: Array<[RegExp, string]> = [
  [/server\/app\.ts:\d+:accessLine$/, 'access log line'],
  [/sonic-boom\//, 'log writes (sonic-boom)'],
  [/:(createChildLogger|lazyRequestLogger)$/, 'request logger'],
  [/server\/firewall\//, 'firewall + rate limit'],
  [/server\/auth\/mfa\/step-up\.ts/, 'identity gate (step-up)'],
  [/server\/auth\//, 'auth gate (token, session)'],
  [/@fastify\/cors\//, 'CORS (@fastify/cors)'],
  [/server\/http\/(front-door|request-id|trusted-hosts)\.ts/, 'front door (request id, headers, Host)'],
  [/server\/metrics\//, 'metrics counter'],
  [/server\/http\/well-formed\.ts|shared\/common\/text\.ts/, 'well-formed text check'],
  [/server\/status\//, 'route handler'],
];
const RUNNER =
  /fastify\/lib\/.*:(next|hookIterator|exit|onSendEnd|wrapOnSendEnd|onSendHook|preSerializationHookEnd|preHandlerCallback|routeHandler|runPreParsing|handleRequest|onResFinished|hookRunnerGenerator|onResponseCallback|wrapThenable)$/;

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

function layerOf(stack: string[]): string {
  for (let index = stack.length - 1; index >= 0; index -= 1) {
    const frame = stack[index]!;
    const layer = LAYERS.find(([pattern]) => pattern.test(frame));
    if (layer) return layer[1];
    if (RUNNER.test(frame)) break;
  }
  const leaf = stack[stack.length - 1]!;
  if (stack.some((frame) => frame.endsWith(':writev') || frame.endsWith(':writevGeneric')))
    return 'socket write (wall time)';
  if (stack.some((frame) => /fastify\/lib\/|find-my-way\/|fast-json-stringify/.test(frame)))
    return 'Fastify itself';
  if (/:\((garbage collector|program)\)$/.test(leaf)) return 'V8 (GC, native)';
  return 'node:http, streams, timers';
}

mkdirSync(DIR, { recursive: true });
for (const file of readdirSync(DIR)) rmSync(path.join(DIR, file));
const child = spawn(
  process.execPath,
  [
    '--no-warnings',
    '--cpu-prof',
    `--cpu-prof-dir=${DIR}`,
    `--cpu-prof-interval=${INTERVAL_US}`,
    TARGET,
    mode,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const first = await new Promise<string>((resolve) =>
  createInterface({ input: child.stdout! }).once('line', resolve),
);
const info = JSON.parse(first) as { url: string; token?: string };
const result = await autocannon({
  url: info.url,
  connections: 32,
  duration: SECONDS,
  headers: info.token ? { authorization: `Bearer ${info.token}` } : {},
});
const exited = new Promise((resolve) => child.once('exit', resolve));
child.kill('SIGTERM');
await exited;

const file = readdirSync(DIR).find((name) => name.endsWith('.cpuprofile'));
if (!file) throw new Error('no profile written');
const profile = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
};
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const id of node.children ?? []) parent.set(id, node.id);
const short = (url: string) => url.replace(/^file:\/\/.*?\/(server|shared|node_modules)\//, '$1/');
let time = profile.startTime;
const times = profile.timeDeltas.map((delta) => (time += delta));
const end = times[times.length - 1]!;
// The load window: the last SECONDS before shutdown (start-up and sign-in come before it).
const from = end - (SECONDS + 0.3) * 1e6;
const to = end - 0.3e6;
const counts = new Map<string, number>();
let busy = 0;
for (let index = 0; index < profile.samples.length; index += 1) {
  if (times[index]! < from || times[index]! > to) continue;
  const stack: string[] = [];
  for (let id: number | undefined = profile.samples[index]; id !== undefined; id = parent.get(id)) {
    const { callFrame } = byId.get(id)!;
    stack.unshift(`${short(callFrame.url)}:${callFrame.lineNumber + 1}:${callFrame.functionName}`);
  }
  if (stack[stack.length - 1]!.endsWith(':(idle)')) continue;
  busy += 1;
  const layer = layerOf(stack);
  counts.set(layer, (counts.get(layer) ?? 0) + 1);
}
const perRequest = (busy * INTERVAL_US) / Math.max(1, result.requests.total);
console.log(
  `${mode}: ${Math.round(result.requests.average)} rps, ${perRequest.toFixed(1)} µs of samples per request`,
);
console.table(
  [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([layer, count]) => ({
      layer,
      share: `${((100 * count) / busy).toFixed(1)} %`,
      us_per_request: Number(((count / busy) * perRequest).toFixed(1)),
    })),
);
