/**
 * `npm run bench -- audit-readers` → .bench/audit-readers.json: the server's RSS growth
 * while 200 audit tails and 50 exports are opened over loopback and never read, with
 * 1500 entries of ~3.5 KiB in the log and 1500 more appended while they are open (the
 * attack of docs/SECURITY.md §Threat model and tests). Also how many were let through
 * and refused (429) by the caps. `test/server/audit/audit-readers.test.ts` asserts a
 * generous bound on the same figure.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { runUnreadLoad } from '../server/audit/unread-readers.ts';
import { ADMIN_EMAIL, DEV_PASSWORD, login, relaxRateLimits, startTestApp } from '../server/helpers.ts';

const harness = await startTestApp();
try {
  const admin = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
  await relaxRateLimits(harness.app, admin);
  await harness.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (harness.app.server.address() as AddressInfo).port;
  const load = { streams: 200, exports: 50, entriesBefore: 1500, entriesDuring: 1500, keys: 50 };
  const result = await runUnreadLoad(harness.app, admin, port, load);
  const results: Record<string, number | string> = {
    load_avg_1m: loadavg()[0] ?? 0,
    streams_attempted: load.streams,
    exports_attempted: load.exports,
    streams_open: result.streamsOpen,
    streams_refused: result.streamsRefused,
    exports_open: result.exportsOpen,
    exports_refused: result.exportsRefused,
    unexpected_answers: result.unexpected.length,
    rss_before_mib: result.rssBeforeMiB,
    rss_peak_mib: result.rssPeakMiB,
    rss_growth_mib: result.rssGrowthMiB,
    seconds: result.seconds,
  };
  mkdirSync('.bench', { recursive: true });
  writeFileSync('.bench/audit-readers.json', `${JSON.stringify(results, null, 2)}\n`);
  const rows = Object.entries(results).map(([key, value]) => [
    key,
    typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(1) : String(value),
  ]);
  const width = Math.max(...rows.map(([key]) => String(key).length));
  process.stdout.write(
    `${rows.map(([key, value]) => `${String(key).padEnd(width)}  ${value}`).join('\n')}\n`,
  );
} finally {
  await harness.close();
}
