/**
 * `session.*`: who is signed in, on which server. The password passes through to the
 * API once and is not kept here; the tokens stay inside the one API client, which
 * renews the access token with the rotating refresh token before it expires. When the
 * server refuses the renewal (session revoked, account disabled), the session ends
 * and the UI hears it (`session.onChange`), instead of showing "signed in" over a dead token.
 * An account with a second factor signs in in two steps: the state then says which
 * factors the server asks for (`secondFactor`), and the sign-in's single-use token stays
 * inside the API client; the UI sends the code or the passkey's assertion, never a token.
 */
import type { FactorInput } from '../../../../shared/common/contract/account-inputs.ts';
import type {
  SessionState,
  SignInMethods,
  SsoStart,
  WebAuthnRequest,
} from '../../../../shared/common/contract/bridge.ts';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import type { LoginInput } from '../../../../shared/common/contract/inputs.ts';
import type { FactoryConnection } from '../../factory-api/factory-connection.ts';
import type { DomainHandlers } from '../../ipc/handlers.ts';
import { ConsoleError } from '../../platform/console-error.ts';
import { startSsoSignIn, type PendingSsoSignIn, type UrlOpener } from './sso-sign-in.ts';

export interface SessionServiceOptions {
  connection: FactoryConnection;
  /** Pushes the state to the UI (`session.onChange`). */
  emit: (state: SessionState) => void;
  /** How often the token's expiry is looked at (default 30 s; tests shorten it). */
  checkEveryMs?: number;
  /** Opens the provider's page for single sign-on (desktop: the system browser); absent: the view opens it. */
  openSignInUrl?: UrlOpener;
}

export class SessionService implements DomainHandlers<'session'> {
  readonly #connection: FactoryConnection;
  readonly #emit: (state: SessionState) => void;
  readonly #checkEveryMs: number;
  #timer: NodeJS.Timeout | null = null;
  #unsubscribe: (() => void) | null = null;
  #last: string | null = null;
  readonly #openSignInUrl: UrlOpener | undefined;
  #sso: PendingSsoSignIn | null = null;

  constructor(options: SessionServiceOptions) {
    this.#connection = options.connection;
    this.#emit = options.emit;
    this.#checkEveryMs = options.checkEveryMs ?? 30_000;
    this.#openSignInUrl = options.openSignInUrl;
  }

  /** Follows the connection's session events and renews tokens before they expire. */
  start(): void {
    this.#unsubscribe ??= this.#connection.on(() => this.#push());
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      void this.renewIfDue().catch(() => undefined);
    }, this.#checkEveryMs);
    this.#timer.unref();
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /**
   * Renews the access token when it is due. A refusal ends the session (pushed); a
   * server that does not answer leaves it for the next look.
   */
  async renewIfDue(): Promise<void> {
    const client = this.#client();
    if (client?.refreshDue) await client.refresh();
    this.#push();
  }

  #client() {
    try {
      return this.#connection.client;
    } catch {
      return null; // not connected (yet): nobody can be signed in
    }
  }

  #state(): SessionState {
    const client = this.#client();
    const session = client?.session ?? null;
    const pending = session === null ? (client?.pendingSecondFactor ?? null) : null;
    return {
      signedIn: session !== null,
      email: session?.user.email ?? null,
      role: session?.user.role ?? null,
      serverUrl: this.#connection.info.serverUrl,
      ...(pending ? { secondFactor: { methods: [...pending] } } : {}),
    };
  }

  /** Pushes the state when it differs from the last one pushed. */
  #push(): void {
    const state = this.#state();
    const key = JSON.stringify(state);
    if (key === this.#last) return;
    this.#last = key;
    this.#emit(state);
  }

  async getState(): Promise<SessionState> {
    await this.renewIfDue().catch(() => undefined);
    return this.#state();
  }

  /** The password step: signed in, or `secondFactor` says which factors come next. */
  async login(input: LoginInput): Promise<SessionState> {
    await this.#connection.client.beginLogin(input.email, input.password);
    this.#push();
    return this.#state();
  }

  /** The factor step of a pending sign-in; a refused code leaves it pending for another try. */
  async verifyFactor(input: FactorInput): Promise<SessionState> {
    try {
      await this.#connection.client.verifySecondFactor(input);
    } finally {
      this.#push();
    }
    return this.#state();
  }

  async factorOptions(): Promise<WebAuthnRequest> {
    return { options: await this.#connection.client.secondFactorOptions() };
  }

  async cancelFactor(): Promise<SessionState> {
    this.#client()?.cancelSecondFactor();
    this.#push();
    return this.#state();
  }

  async signInMethods(): Promise<SignInMethods> {
    try {
      const methods = await this.#connection.client.authMethods();
      return { password: methods.password, sso: methods.sso };
    } catch {
      return { password: true, sso: false }; // an older server, or none selected: the password form
    }
  }

  /** Starts single sign-on; a sign-on still waiting is cancelled (one at a time). */
  async startSso(): Promise<SsoStart> {
    this.#sso?.cancel();
    const pending = await startSsoSignIn({
      client: this.#connection.client,
      ...(this.#openSignInUrl ? { open: this.#openSignInUrl } : {}),
    });
    this.#sso = pending;
    // The session is pushed when the browser comes back, whether or not the view waits for it.
    pending.result.then(
      () => this.#push(),
      () => this.#push(), // a sign-in that waits for its second factor is pushed too
    );
    return { authorizationUrl: pending.authorizationUrl, opened: pending.opened };
  }

  async completeSso(): Promise<SessionState> {
    const pending = this.#sso;
    if (!pending) throw new ConsoleError(ErrorCode.Conflict, 'No single sign-on is waiting: start it again.');
    try {
      await pending.result;
    } catch (error) {
      // An account with a second factor: the sign-in now waits for it (`secondFactor`), not a failure.
      if (this.#client()?.pendingSecondFactor == null) throw error;
    } finally {
      if (this.#sso === pending) this.#sso = null;
      this.#push();
    }
    return this.#state();
  }

  async logout(): Promise<SessionState> {
    await this.#client()?.logout();
    this.#push();
    return this.#state();
  }
}
