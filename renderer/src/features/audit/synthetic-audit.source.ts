/**
 * SYNTHETIC audit data for development, tests and the benchmark: a million (or any
 * number of) entries computed from their `seq`, never stored, never sent anywhere.
 * The view labels this source on screen; it exists so the table can be exercised at
 * full scale before (or without) a real log. Hashes are NOT SHA-256 — a cheap integer
 * mix that only looks like one — and say so in the details pane.
 *
 * Attributes repeat with period 63 (9 types × 7 actors, coprime), so any filter on
 * type, actor or text is a set of residues and row `i` of a filtered list is found by
 * arithmetic instead of a scan: random access over a million rows stays O(1).
 */
import type { AuditVerification } from '../../../../shared/common/contract/bridge.ts';
import { ok, type Result, type Unsubscribe } from '../../../../shared/common/contract/result.ts';
import type { AuditFilter, AuditRow, AuditSlice, AuditSource } from './audit-source.ts';

const types = [
  'login_success',
  'resource_unlock',
  'agent_handoff',
  'firewall_rule_create',
  'login_failure',
  'machine_activate',
  'setting_change',
  'demo_refusal',
  'audit_export',
] as const;
const actors = [
  'admin@factory.test',
  'agent:planner',
  'operator@factory.test',
  'agent:builder',
  'auditor@factory.test',
  'agent:reviewer',
  'service:cdn',
] as const;
const agents = ['planner', 'builder', 'reviewer', 'deployer'] as const;
const period = types.length * actors.length;
const epochMs = Date.UTC(2026, 0, 1);
const stepMs = 30_000;

export interface SyntheticAuditOptions {
  count: number;
  /** Marks this seq as altered, so verification reports it as the first bad entry. */
  tamperedSeq?: number;
  /** Live tail: append one entry every `tailIntervalMs` while someone listens. */
  tailIntervalMs?: number;
}

/** 32-bit integer mix (splitmix-style); deterministic stand-in for a hash. */
function mix(value: number): number {
  let x = (value ^ 0x9e3779b9) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

function fakeHash(seq: number): string {
  if (seq === 0) return '0'.repeat(64);
  let out = '';
  for (let part = 0; part < 8; part += 1)
    out += mix(seq * 8 + part)
      .toString(16)
      .padStart(8, '0');
  return out;
}

function typeOf(u: number): string {
  return types[u % types.length] ?? 'login_success';
}
function actorOf(u: number): string {
  return actors[u % actors.length] ?? 'service:cdn';
}

/**
 * One synthetic entry. What the table shows is computed up front; the hashes and the
 * canonical line only when read (the details pane), so paging a block stays cheap.
 */
class SyntheticRow implements AuditRow {
  readonly seq: number;
  readonly type: string;
  readonly actor: string;
  readonly at: string;
  readonly resource: string | null;
  readonly details: Record<string, unknown>;

  constructor(seq: number, tamperedSeq?: number) {
    const u = seq - 1;
    this.seq = seq;
    this.type = typeOf(u);
    this.actor = actorOf(u);
    this.at = new Date(epochMs + u * stepMs).toISOString();
    this.resource = this.type === 'resource_unlock' ? `resource-${u % 50}` : null;
    const details: Record<string, unknown> =
      this.type === 'agent_handoff'
        ? { from: agents[u % agents.length], to: agents[(u + 1) % agents.length], task: `task-${u % 1000}` }
        : { synthetic: true };
    this.details = seq === tamperedSeq ? { ...details, altered: 'after signing' } : details;
  }

  get hash(): string {
    return fakeHash(this.seq);
  }

  get prevHash(): string {
    return fakeHash(this.seq - 1);
  }

  get canonical(): string {
    return JSON.stringify({
      seq: this.seq,
      ts: this.at,
      type: this.type,
      actor: this.actor,
      resource: this.resource,
      ip: null,
      request_id: null,
      details: this.details,
      prev_hash: this.prevHash,
      hash: this.hash,
    });
  }
}

/** Builds row `seq` (1-based) of the synthetic log. */
export function syntheticRow(seq: number, tamperedSeq?: number): AuditRow {
  return new SyntheticRow(seq, tamperedSeq);
}

function residuesFor(filter: AuditFilter): number[] {
  const search = filter.search?.toLowerCase();
  const residues: number[] = [];
  for (let r = 0; r < period; r += 1) {
    const type = typeOf(r);
    const actor = actorOf(r);
    if (filter.type && type !== filter.type) continue;
    if (filter.actor && !actor.toLowerCase().includes(filter.actor.toLowerCase())) continue;
    if (search && !`${type} ${actor}`.toLowerCase().includes(search)) continue;
    residues.push(r);
  }
  return residues;
}

/** Creates the synthetic source. `count` entries exist at first; live tail adds more. */
export function createSyntheticAuditSource(options: SyntheticAuditOptions): AuditSource {
  let count = options.count;
  const listeners = new Set<(row: AuditRow) => void>();
  let timer: ReturnType<typeof setInterval> | null = null;

  function range(filter: AuditFilter): { lo: number; hi: number; residues: number[] } {
    // u = seq - 1 ranges over [lo, hi).
    const lo = filter.from ? Math.max(0, Math.ceil((Date.parse(filter.from) - epochMs) / stepMs)) : 0;
    const hi = filter.to
      ? Math.min(count, Math.floor((Date.parse(filter.to) - epochMs) / stepMs) + 1)
      : count;
    return { lo, hi: Math.max(lo, hi), residues: residuesFor(filter) };
  }

  function countBelow(m: number, residues: number[]): number {
    const rest = m % period;
    return Math.floor(m / period) * residues.length + residues.filter((r) => r < rest).length;
  }

  function nth(j: number, residues: number[]): number {
    return Math.floor(j / residues.length) * period + (residues[j % residues.length] ?? 0);
  }

  return {
    kind: 'synthetic',
    async load(filter, start, limit): Promise<Result<AuditSlice>> {
      const { lo, hi, residues } = range(filter);
      const total = residues.length === 0 ? 0 : countBelow(hi, residues) - countBelow(lo, residues);
      const entries: AuditRow[] = [];
      const offset = residues.length === 0 ? 0 : countBelow(lo, residues);
      for (let i = start; i < Math.min(total, start + limit); i += 1) {
        entries.push(syntheticRow(nth(offset + i, residues) + 1, options.tamperedSeq));
      }
      return ok({ entries, total, hasMore: start + entries.length < total });
    },
    async verify(): Promise<Result<AuditVerification>> {
      const bad =
        options.tamperedSeq !== undefined && options.tamperedSeq <= count ? options.tamperedSeq : null;
      return ok({ intact: bad === null, checked: bad === null ? count : bad - 1, firstBadSeq: bad });
    },
    onEntry(listener): Unsubscribe {
      listeners.add(listener);
      if (!timer && options.tailIntervalMs) {
        timer = setInterval(() => {
          count += 1;
          const row = syntheticRow(count, options.tamperedSeq);
          for (const each of listeners) each(row);
        }, options.tailIntervalMs);
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer) {
          clearInterval(timer);
          timer = null;
        }
      };
    },
  };
}
