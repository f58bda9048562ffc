/**
 * Sessions and rotating refresh tokens. A session is one sign-in; its refresh tokens
 * form a family. Each refresh consumes the presented token and issues the next one;
 * presenting a consumed token again means it was copied, so the whole family (the
 * session, and with it every access token naming it) is revoked (OAuth 2.0 Security
 * BCP, RFC 9700 §4.14.2). Tokens are 256 random bits, stored as SHA-256 only.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { UsersTable } from '../db/schema.ts';

export const REFRESH_TOKEN_TTL_S = 7 * 24 * 60 * 60;
/**
 * How long a live-session lookup is reused. The lookup runs on every authenticated
 * request; this instance forgets an entry at once when it revokes a session or changes
 * an account, so only *other* instances sharing the database may lag by up to this.
 */
export const SESSION_CACHE_MS = 1_000;
const SESSION_CACHE_MAX = 10_000;
export const SESSION_MAX_AGE_S = 30 * 24 * 60 * 60;
const REFRESH_PREFIX = 'rt_';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const iso = (ms: number) => new Date(ms).toISOString();

export type RotateResult =
  | { ok: true; userId: string; sessionId: string; refreshToken: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' }
  | { ok: false; reason: 'reuse'; userId: string; sessionId: string };

/** The account behind a live session, as the auth hook needs it per request. */
export type SessionUser = Pick<UsersTable, 'id' | 'email' | 'role' | 'disabled' | 'must_change_password'> & {
  /** When the session last proved who it is (ms since the epoch): step-up checks it. */
  authAt: number;
  /** Signed in without a factor its role requires: only enrolment is allowed. */
  enrolOnly: boolean;
};

/** One row of a user's session list. */
export interface SessionListRow {
  id: string;
  via: string;
  created_at: string;
  expires_at: string;
  last_used_at: string;
}

/**
 * Live-session lookups by session id, shared by a service and its transactional copies.
 * Every forgetting (revocation, account change) bumps `generation`; a lookup that was
 * already under way when that happened may have read the row from before, so its result
 * is not kept (it is still returned to its own request, which started before the change).
 */
class SessionCache {
  readonly #entries = new Map<string, { user: SessionUser; until: number }>();
  generation = 0;

  get(sessionId: string): { user: SessionUser; until: number } | undefined {
    return this.#entries.get(sessionId);
  }

  /** Keeps a lookup that started at `generation`, unless something was forgotten since. */
  keep(sessionId: string, user: SessionUser, until: number, generation: number): void {
    if (generation !== this.generation) return;
    if (this.#entries.size >= SESSION_CACHE_MAX) this.#entries.clear();
    this.#entries.set(sessionId, { user, until });
  }

  delete(sessionId: string): void {
    this.generation += 1;
    this.#entries.delete(sessionId);
  }

  forgetUser(userId: string): void {
    this.generation += 1;
    for (const [sessionId, entry] of this.#entries) {
      if (entry.user.id === userId) this.#entries.delete(sessionId);
    }
  }
}

export class SessionService {
  readonly #db: Db;
  readonly #cache: SessionCache;

  constructor(db: Db, cache = new SessionCache()) {
    this.#db = db;
    this.#cache = cache;
  }

  /** The same service (and lookup cache) on `trx` (a change committed with its audit entry). */
  in(trx: Db): SessionService {
    return new SessionService(trx, this.#cache);
  }

  async #newRefreshToken(sessionId: string, now: number, trx: Db = this.#db): Promise<string> {
    const token = REFRESH_PREFIX + randomBytes(32).toString('base64url');
    await trx
      .insertInto('refresh_tokens')
      .values({
        token_hash: hashToken(token),
        session_id: sessionId,
        created_at: iso(now),
        expires_at: iso(now + REFRESH_TOKEN_TTL_S * 1000),
        used_at: null,
      })
      .execute();
    return token;
  }

  /** Starts a session for a signed-in user; returns its id and first refresh token. */
  async create(
    userId: string,
    via: 'bearer' | 'cookie',
    now = Date.now(),
  ): Promise<{ sessionId: string; refreshToken: string }> {
    const sessionId = randomUUID();
    await this.#db
      .insertInto('sessions')
      .values({
        id: sessionId,
        user_id: userId,
        via,
        created_at: iso(now),
        expires_at: iso(now + SESSION_MAX_AGE_S * 1000),
        revoked_at: null,
        revoked_reason: null,
      })
      .execute();
    return { sessionId, refreshToken: await this.#newRefreshToken(sessionId, now) };
  }

  /** Consumes a refresh token and issues its successor; detects reuse. */
  async rotate(token: string, now = Date.now()): Promise<RotateResult> {
    if (!token.startsWith(REFRESH_PREFIX) || token.length > 100) return { ok: false, reason: 'unknown' };
    const result = await this.#db.transaction().execute(async (trx): Promise<RotateResult> => {
      const row = await trx
        .selectFrom('refresh_tokens')
        .innerJoin('sessions', 'sessions.id', 'refresh_tokens.session_id')
        .select([
          'refresh_tokens.token_hash',
          'refresh_tokens.used_at',
          'refresh_tokens.expires_at',
          'sessions.id as session_id',
          'sessions.user_id',
          'sessions.revoked_at',
          'sessions.expires_at as session_expires_at',
        ])
        .where('refresh_tokens.token_hash', '=', hashToken(token))
        .executeTakeFirst();
      if (!row) return { ok: false, reason: 'unknown' };
      if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
      if (row.used_at !== null) {
        this.#cache.delete(row.session_id);
        await trx
          .updateTable('sessions')
          .set({ revoked_at: iso(now), revoked_reason: 'refresh_reuse' })
          .where('id', '=', row.session_id)
          .execute();
        return { ok: false, reason: 'reuse', userId: row.user_id, sessionId: row.session_id };
      }
      if (Date.parse(row.expires_at) <= now || Date.parse(row.session_expires_at) <= now) {
        return { ok: false, reason: 'expired' };
      }
      await trx
        .updateTable('refresh_tokens')
        .set({ used_at: iso(now) })
        .where('token_hash', '=', row.token_hash)
        .execute();
      const refreshToken = await this.#newRefreshToken(row.session_id, now, trx);
      return { ok: true, userId: row.user_id, sessionId: row.session_id, refreshToken };
    });
    // Forgotten again now that the revocation committed (see forgetSession).
    if (!result.ok && result.reason === 'reuse') this.#cache.delete(result.sessionId);
    return result;
  }

  /** The session a refresh token belongs to, without consuming it (logout by refresh token). */
  async sessionOfRefreshToken(token: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('refresh_tokens')
      .select('session_id')
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirst();
    return row?.session_id;
  }

  async revoke(sessionId: string, reason: string, now = Date.now()): Promise<void> {
    this.#cache.delete(sessionId);
    await this.#db
      .updateTable('sessions')
      .set({ revoked_at: iso(now), revoked_reason: reason })
      .where('id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /**
   * A user's live (not revoked, not expired) sessions, newest first: no token or hash.
   * `last_used_at` is when the newest refresh token was issued (sign-in or last refresh).
   */
  async listForUser(userId: string, now = Date.now()): Promise<SessionListRow[]> {
    const rows = await this.#db
      .selectFrom('sessions')
      .leftJoin('refresh_tokens', 'refresh_tokens.session_id', 'sessions.id')
      .select((eb) => [
        'sessions.id',
        'sessions.via',
        'sessions.created_at',
        'sessions.expires_at',
        eb.fn.max('refresh_tokens.created_at').as('last_used_at'),
      ])
      .where('sessions.user_id', '=', userId)
      .where('sessions.revoked_at', 'is', null)
      .where('sessions.expires_at', '>', iso(now))
      .groupBy(['sessions.id', 'sessions.via', 'sessions.created_at', 'sessions.expires_at'])
      .orderBy('sessions.created_at', 'desc')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      via: row.via,
      created_at: row.created_at,
      expires_at: row.expires_at,
      last_used_at: row.last_used_at ?? row.created_at,
    }));
  }

  /** Revokes one of `userId`'s own live sessions; false if it is not theirs or already ended. */
  async revokeOwn(userId: string, sessionId: string, reason: string, now = Date.now()): Promise<boolean> {
    this.#cache.delete(sessionId);
    const result = await this.#db
      .updateTable('sessions')
      .set({ revoked_at: iso(now), revoked_reason: reason })
      .where('id', '=', sessionId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', iso(now))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Revokes every session of a user, except `keep` (password change keeps the current one). */
  async revokeAllForUser(userId: string, reason: string, keep?: string, now = Date.now()): Promise<void> {
    this.forgetUser(userId);
    let query = this.#db
      .updateTable('sessions')
      .set({ revoked_at: iso(now), revoked_reason: reason })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null);
    if (keep !== undefined) query = query.where('id', '!=', keep);
    await query.execute();
  }

  /**
   * Drops the cached lookup of one session. A revocation made on a transaction forgets the
   * session before it commits, so a lookup on another connection meanwhile can still read
   * the row as it was and be kept: the caller forgets it again once the change committed.
   */
  forgetSession(sessionId: string): void {
    this.#cache.delete(sessionId);
  }

  /** Drops cached lookups of a user's sessions (account changed or deleted). */
  forgetUser(userId: string): void {
    this.#cache.forgetUser(userId);
  }

  /**
   * The user behind a live (not revoked, not expired) session, or undefined. A lookup
   * still in the cache is returned as it is, not as a promise: the auth gate then
   * completes without waiting (server/auth/auth.hook.ts).
   */
  liveSessionUser(
    sessionId: string,
    userId: string,
    now = Date.now(),
  ): SessionUser | Promise<SessionUser | undefined> {
    const cached = this.#cache.get(sessionId);
    if (cached && cached.until > now && cached.user.id === userId) return cached.user;
    const generation = this.#cache.generation;
    return this.#lookup(sessionId, userId, now).then((user) => {
      if (user) this.#cache.keep(sessionId, user, now + SESSION_CACHE_MS, generation);
      return user;
    });
  }

  async #lookup(sessionId: string, userId: string, now: number): Promise<SessionUser | undefined> {
    const row = await this.#db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select([
        'users.id',
        'users.email',
        'users.role',
        'users.disabled',
        'users.must_change_password',
        'sessions.revoked_at',
        'sessions.expires_at',
        'sessions.created_at',
        'sessions.auth_at',
        'sessions.enrol_only',
      ])
      .where('sessions.id', '=', sessionId)
      .where('sessions.user_id', '=', userId)
      .executeTakeFirst();
    if (!row || row.revoked_at !== null || Date.parse(row.expires_at) <= now || row.disabled)
      return undefined;
    return {
      id: row.id,
      email: row.email,
      role: row.role,
      disabled: row.disabled,
      must_change_password: row.must_change_password,
      authAt: Date.parse(row.auth_at ?? row.created_at),
      enrolOnly: row.enrol_only === 1,
    };
  }

  /**
   * Records what a session just proved: a factor or a step-up re-authentication moves
   * `auth_at` to now, and a confirmed factor lifts an enrol-only session.
   */
  async markAuthenticated(
    sessionId: string,
    change: { amr?: string[]; enrolOnly?: boolean },
    now = Date.now(),
  ): Promise<void> {
    this.#cache.delete(sessionId);
    await this.#db
      .updateTable('sessions')
      .set({
        auth_at: iso(now),
        ...(change.amr !== undefined ? { amr: JSON.stringify(change.amr) } : {}),
        ...(change.enrolOnly !== undefined ? { enrol_only: change.enrolOnly ? 1 : 0 } : {}),
      })
      .where('id', '=', sessionId)
      .execute();
  }
}
