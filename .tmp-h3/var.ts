import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
const cpu = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) / 100; };
const mode = process.argv[2] ?? 'secured';
const child = spawn(process.execPath, ['--no-warnings', process.argv[3] ?? '/work/main/test/bench/server-target.ts', mode], { stdio: ['ignore', 'pipe', 'inherit'] });
const line = await new Promise<string>((r) => createInterface({ input: child.stdout! }).once('line', r));
const { url, token } = JSON.parse(line);
const base = url.replace(/\/api\/v1\/status$|\/x$/, '');
const paths = (process.argv[4] ?? '/health,/api/v1/auth/me,/api/v1/status').split(',');
for (const path of paths) {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  await autocannon({ url: base + path, connections: 32, duration: 1, headers });
  const c0 = cpu(child.pid!);
  const res = await autocannon({ url: base + path, connections: 32, duration: 4, headers });
  console.log(path, 'rps', Math.round(res.requests.average), 'cpu_us', (((cpu(child.pid!) - c0) / res.requests.total) * 1e6).toFixed(1), 'non2xx', res.non2xx);
}
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
