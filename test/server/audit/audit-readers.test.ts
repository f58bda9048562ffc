/**
 * One read-only credential must not exhaust the server's memory: audit tails and
 * exports that are opened and never read (raw loopback sockets) keep the server's RSS
 * growth under a stated bound, tails and exports beyond the caps are refused with 429,
 * and an open tail ends when its key is revoked (docs/SECURITY.md §Threat model and tests).
 * The measured figure is in `npm run bench -- audit-readers`.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORTS_TOTAL, STREAMS_TOTAL } from '../../../server/audit/audit-streams.ts';
import {
  ADMIN_EMAIL,
  DEV_PASSWORD,
  login,
  relaxRateLimits,
  startTestApp,
  type Session,
  type TestApp,
} from '../helpers.ts';
import { runUnreadLoad } from './unread-readers.ts';

/** Generous: the tails and exports the caps let through, with their socket buffers and backlogs. */
const RSS_GROWTH_BOUND_MIB = 200;

let harness: TestApp;
let admin: Session;
let port = 0;

beforeAll(async () => {
  harness = await startTestApp();
  admin = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
  await relaxRateLimits(harness.app, admin);
  await harness.app.listen({ host: '127.0.0.1', port: 0 });
  port = (harness.app.server.address() as AddressInfo).port;
}, 60_000);
afterAll(async () => harness.close());

describe('unread audit readers', () => {
  it(
    `200 unread tails and 50 unread exports grow RSS by less than ${RSS_GROWTH_BOUND_MIB} MiB`,
    { timeout: 180_000 },
    async () => {
      const result = await runUnreadLoad(harness.app, admin, port, {
        streams: 200,
        exports: 50,
        entriesBefore: 1500,
        entriesDuring: 1500,
        keys: 50,
      });
      expect(result.rssGrowthMiB, JSON.stringify(result)).toBeLessThan(RSS_GROWTH_BOUND_MIB);
      expect(result.unexpected).toEqual([]);
      expect(result.streamsOpen + result.streamsRefused).toBe(200);
      expect(result.exportsOpen + result.exportsRefused).toBe(50);
      expect(result.streamsOpen).toBeLessThanOrEqual(STREAMS_TOTAL);
      expect(result.exportsOpen).toBeLessThanOrEqual(EXPORTS_TOTAL);
      expect(result.rssGrowthMiB, JSON.stringify(result)).toBeLessThan(RSS_GROWTH_BOUND_MIB);
      expect(result.seconds).toBeLessThan(120);
    },
  );
});
