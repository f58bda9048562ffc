/**
 * Refusals of a public demo (docs/SERVER.md, Modes). The refusal comes before
 * authentication, CSRF and body checks, so any web page a visitor opens can cause them:
 * each one is counted (`factory_demo_refusals_total`), but a client (an IPv4 address,
 * an IPv6 /64) gets at most one audit entry per minute. The first refusal of a quiet
 * client is audited at once (count 1); later ones are counted and written as one
 * aggregate entry when the minute is over, or when the server stops
 * (docs/SECURITY.md §Threat model and tests).
 */
import { AuditEventType } from '../../shared/common/audit-event.ts';
import type { AuditSink } from '../audit-sink.ts';
import { clientAddress } from '../firewall/ip-cidr.ts';
import type { Counter } from '../metrics/metrics.ts';

export const DEMO_REFUSAL_WINDOW_MS = 60_000;
/** Clients tracked at once; past it, new clients share one bucket (memory stays bounded). */
const MAX_CLIENTS = 10_000;
/** Distinct routes named in an aggregate entry. */
const MAX_ROUTES = 8;
const OVERFLOW = 'other clients';

interface ClientWindow {
  /** When this client's last entry was written. */
  lastEntryAt: number;
  ip: string;
  suppressed: number;
  routes: Set<string>;
}

function clientKey(ip: string): string {
  try {
    return clientAddress(ip).bucketKey;
  } catch {
    return ip;
  }
}

export class DemoRefusals {
  readonly #audit: AuditSink;
  readonly #counter: Counter;
  readonly #now: () => number;
  readonly #clients = new Map<string, ClientWindow>();
  readonly #timer: NodeJS.Timeout;

  constructor(audit: AuditSink, counter: Counter, now: () => number = Date.now) {
    this.#audit = audit;
    this.#counter = counter;
    this.#now = now;
    this.#timer = setInterval(() => void this.flush(false).catch(() => undefined), DEMO_REFUSAL_WINDOW_MS);
    this.#timer.unref();
  }

  /** Counts one refusal; audits it when the client has had no entry within the window. */
  async record(ip: string, route: string, requestId: string): Promise<void> {
    this.#counter.inc();
    const now = this.#now();
    let key = clientKey(ip);
    if (!this.#clients.has(key) && this.#clients.size >= MAX_CLIENTS) key = OVERFLOW;
    const window = this.#clients.get(key);
    if (window && now - window.lastEntryAt < DEMO_REFUSAL_WINDOW_MS) {
      window.suppressed += 1;
      if (window.routes.size < MAX_ROUTES) window.routes.add(route);
      return;
    }
    const earlier = window?.suppressed ?? 0;
    const routes = new Set(window?.routes ?? []);
    routes.add(route);
    this.#clients.set(key, {
      lastEntryAt: now,
      ip: key === OVERFLOW ? OVERFLOW : ip,
      suppressed: 0,
      routes: new Set(),
    });
    await this.#audit.append({
      type: AuditEventType.DemoRefusal,
      actor: null,
      resource: route,
      ip,
      request_id: requestId,
      details: { count: 1 + earlier, routes: [...routes] },
    });
  }

  /**
   * Writes the aggregate of every window that is over (all of them with `all`, when the
   * server stops) and forgets clients that have been quiet for a whole window.
   */
  async flush(all: boolean): Promise<void> {
    const now = this.#now();
    for (const [key, window] of [...this.#clients]) {
      if (!all && now - window.lastEntryAt < DEMO_REFUSAL_WINDOW_MS) continue;
      if (window.suppressed === 0) {
        this.#clients.delete(key);
        continue;
      }
      const count = window.suppressed;
      const routes = [...window.routes];
      window.suppressed = 0;
      window.routes = new Set();
      window.lastEntryAt = now;
      await this.#audit.append({
        type: AuditEventType.DemoRefusal,
        actor: null,
        resource: routes[0] ?? null,
        ip: window.ip === OVERFLOW ? null : window.ip,
        request_id: null,
        details: { count, routes, aggregated: true, window_s: DEMO_REFUSAL_WINDOW_MS / 1000 },
      });
    }
  }

  /** Stops the timer and writes what is still counted. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush(true);
  }
}
