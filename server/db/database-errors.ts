/**
 * Why a database could not be opened, in one line naming `FACTORY_DATABASE_URL`
 * (docs/DEPLOY.md §Start-up errors): a server that cannot be reached is an outage
 * ({@link DependencyUnreachableError}, `serve` exits 3 — it may work on the next try); a
 * server that refuses the user, the password or the database name is a configuration
 * error ({@link ConfigError}, exit 2 — it will not heal by waiting). Only host, port,
 * user and database reach the message, never the password.
 */
import { ConfigError } from '../config-env.ts';

/** A dependency (database, Redis) named by `variable` does not answer. */
export class DependencyUnreachableError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'DependencyUnreachableError';
    this.variable = variable;
  }
}

const VARIABLE = 'FACTORY_DATABASE_URL';

/** Network-level failures: nothing answered (or not as PostgreSQL). */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  // PostgreSQL: starting up, shutting down, too many connections.
  '57P01',
  '57P03',
  '53300',
]);

/** PostgreSQL's SQLSTATEs for a refused login or a missing database. */
const REFUSED: Record<string, string> = {
  '28P01': 'password authentication failed',
  '28000': 'the user is not allowed in',
  '3D000': 'the database does not exist',
};

/** `user@host:port/database` of a postgres:// URL (no password). */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : '';
    return `${user}${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'the configured server';
  }
}

function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  const visit = (value: unknown) => {
    if (value === null || typeof value !== 'object') return;
    const code = (value as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    // Node reports each address tried (IPv6 and IPv4) in an AggregateError.
    for (const inner of (value as { errors?: unknown[] }).errors ?? []) visit(inner);
  };
  visit(error);
  return codes;
}

/**
 * The one-line error for a failure to open the PostgreSQL database at `url`, or undefined
 * when the failure is something else (a failing migration: reported as such).
 */
export function classifyDatabaseError(
  error: unknown,
  url: string,
): ConfigError | DependencyUnreachableError | undefined {
  const where = describeDatabaseUrl(url);
  const codes = codesOf(error);
  const refused = codes.find((code) => code in REFUSED);
  if (refused) {
    const detail = error instanceof Error ? error.message : String(error);
    return new ConfigError(VARIABLE, `PostgreSQL refused ${where}: ${REFUSED[refused]} (${detail})`);
  }
  const unreachable = codes.find((code) => UNREACHABLE_CODES.has(code));
  const message = error instanceof Error ? error.message : '';
  if (unreachable || /timeout|terminated unexpectedly/i.test(message)) {
    return new DependencyUnreachableError(
      VARIABLE,
      `cannot reach PostgreSQL at ${where} (${unreachable ?? (message || 'no answer')})`,
    );
  }
  return undefined;
}
