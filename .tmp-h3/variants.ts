import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
for (const v of ['bare', 'log', 'helmet', 'cors', 'cookie', 'bare', 'log-helmet-cors-cookie']) {
  const child = spawn(process.execPath, ['--no-warnings', '/work/main/.tmp-h3/variant-server.ts', v], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((r) => createInterface({ input: child.stdout! }).once('line', r));
  const { url } = JSON.parse(line);
  await autocannon({ url, connections: 32, duration: 1 });
  const res = await autocannon({ url, connections: 32, duration: 3 });
  console.log(v, Math.round(res.requests.average));
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}
