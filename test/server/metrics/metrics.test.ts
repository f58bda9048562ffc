/**
 * The request counters behind `GET /metrics` (server/metrics/metrics.ts): one series per
 * method, route pattern and status, counted exactly, whether a response is the first of
 * its kind or one of many (the series are looked up per route, not rebuilt per request).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Counter } from '../../../server/metrics/metrics.ts';
import { ADMIN_EMAIL, DEV_PASSWORD, bearer, login, startTestApp, type TestApp } from '../helpers.ts';

let harness: TestApp;
beforeAll(async () => {
  harness = await startTestApp();
});
afterAll(async () => harness.close());

function count(text: string, method: string, route: string, status: number): number {
  const line = text
    .split('\n')
    .find((entry) =>
      entry.startsWith(
        `factory_http_requests_total{method="${method}",route="${route}",status="${status}"} `,
      ),
    );
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

describe('request counters', () => {
  it('count each method, route and status apart, and keep counting', async () => {
    const admin = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
    const metrics = async () =>
      (await harness.app.inject({ method: 'GET', url: '/metrics', headers: bearer(admin.access_token) }))
        .body;
    const before = await metrics();
    for (let index = 0; index < 3; index += 1) await harness.app.inject({ method: 'GET', url: '/health' });
    for (let index = 0; index < 2; index += 1)
      await harness.app.inject({ method: 'GET', url: '/api/v1/status' });
    await harness.app.inject({ method: 'GET', url: '/api/v1/status', headers: bearer(admin.access_token) });
    await harness.app.inject({ method: 'GET', url: '/no/such/route' });
    await harness.app.inject({ method: 'HEAD', url: '/health' });
    const after = await metrics();
    const delta = (method: string, route: string, status: number) =>
      count(after, method, route, status) - count(before, method, route, status);
    expect(delta('GET', '/health', 200)).toBe(3);
    expect(delta('HEAD', '/health', 200)).toBe(1);
    expect(delta('GET', '/api/v1/status', 401)).toBe(2);
    expect(delta('GET', '/api/v1/status', 200)).toBe(1);
    expect(delta('GET', 'unmatched', 404)).toBe(1);
    // The metrics request before `after` was counted too.
    expect(delta('GET', '/metrics', 200)).toBe(1);
  });
});

describe('Counter', () => {
  it('adds a series handle and plain increments of the same labels into one series', () => {
    const counter = new Counter('test_total', 'A test counter.');
    const series = counter.series({ method: 'GET', status: '200' });
    series.inc();
    counter.inc({ method: 'GET', status: '200' });
    series.inc(3);
    counter.series({ method: 'GET', status: '500' }).inc();
    expect(counter.value({ method: 'GET', status: '200' })).toBe(5);
    expect(counter.value({ method: 'GET', status: '500' })).toBe(1);
    expect(counter.render()).toContain('test_total{method="GET",status="200"} 5');
  });

  it('shows no series for a handle that never counted', () => {
    const counter = new Counter('idle_total', 'Never incremented.');
    counter.series({ method: 'GET' });
    expect(counter.render()).toBe(
      '# HELP idle_total Never incremented.\n# TYPE idle_total counter\nidle_total 0',
    );
  });
});
