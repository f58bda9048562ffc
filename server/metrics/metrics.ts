/**
 * Prometheus counters (text exposition format 0.0.4). Hand-written: the API needs a
 * handful of counters, and a per-request registry lookup in prom-client costs more
 * than these map increments on the hot path. Other plugins add counters with
 * {@link Metrics.counter}.
 */
import type { FastifyInstance } from 'fastify';
import { Permission } from '../../shared/common/roles.ts';

type Labels = Record<string, string>;

const escapeLabel = (value: string) =>
  value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/** Map key of a label set (label values never contain NUL). */
const keyOf = (labels: Labels) => Object.entries(labels).join('\u0000');

/** One counter family. */
export class Counter {
  readonly name: string;
  readonly help: string;
  readonly #values = new Map<string, { labels: Labels; value: number }>();

  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }

  inc(labels: Labels = {}, by = 1): void {
    const key = keyOf(labels);
    const entry = this.#values.get(key);
    if (entry) entry.value += by;
    else this.#values.set(key, { labels, value: by });
  }

  /**
   * One label set's series, for a hot path: its `inc()` reuses the key computed here
   * instead of building it from the labels on every call.
   */
  series(labels: Labels): { inc(by?: number): void } {
    const key = keyOf(labels);
    const values = this.#values;
    return {
      inc(by = 1) {
        const entry = values.get(key);
        if (entry) entry.value += by;
        else values.set(key, { labels, value: by });
      },
    };
  }

  value(labels: Labels = {}): number {
    return this.#values.get(keyOf(labels))?.value ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.#values.size === 0) lines.push(`${this.name} 0`);
    for (const { labels, value } of this.#values.values()) {
      const text = Object.entries(labels)
        .map(([key, label]) => `${key}="${escapeLabel(label)}"`)
        .join(',');
      lines.push(text ? `${this.name}{${text}} ${value}` : `${this.name} ${value}`);
    }
    return lines.join('\n');
  }
}

export class Metrics {
  readonly #counters = new Map<string, Counter>();
  readonly requests = this.counter(
    'factory_http_requests_total',
    'HTTP requests by method, route and status.',
  );
  readonly unauthorized = this.counter('factory_http_unauthorized_total', 'Responses with status 401.');
  readonly rateLimited = this.counter('factory_http_rate_limited_total', 'Responses with status 429.');
  readonly loginFailures = this.counter('factory_login_failures_total', 'Failed sign-ins.');

  /** Returns the counter named `name`, creating it on first use. */
  counter(name: string, help: string): Counter {
    let counter = this.#counters.get(name);
    if (!counter) {
      counter = new Counter(name, help);
      this.#counters.set(name, counter);
    }
    return counter;
  }

  render(): string {
    return `${[...this.#counters.values()].map((counter) => counter.render()).join('\n')}\n`;
  }
}

/** Counts every response, and serves `GET /metrics` (permission `metrics:read`: admins, auditors, scoped API keys). */
export function metricsPlugin(app: FastifyInstance): void {
  // Per route (its config object, which lives as long as the app), the series of each
  // `method status` seen: a response costs two map lookups, not a label key built anew.
  const seriesByRoute = new WeakMap<object, Map<string, { inc(): void }>>();
  app.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const config = request.routeOptions.config;
    let byRoute = seriesByRoute.get(config);
    if (!byRoute) {
      byRoute = new Map();
      seriesByRoute.set(config, byRoute);
    }
    const name = `${request.method} ${status}`;
    let series = byRoute.get(name);
    if (!series) {
      series = app.metrics.requests.series({
        method: request.method,
        route: config.url ?? 'unmatched',
        status: String(status),
      });
      byRoute.set(name, series);
    }
    series.inc();
    if (status === 401) app.metrics.unauthorized.inc();
    if (status === 429) app.metrics.rateLimited.inc();
    done();
  });
  app.get('/metrics', { config: { permission: Permission.MetricsRead } }, async (_request, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(app.metrics.render()),
  );
}
