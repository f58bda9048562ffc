import type { SessionState } from '../../../../shared/common/contract/bridge.ts';
import type { LoginInput } from '../../../../shared/common/contract/inputs.ts';
import type { FactoryConnection } from '../../factory-api/factory-connection.ts';

/**
 * Sign-in state. The password passes through to the API once and is not kept here;
 * the token stays inside the API client. What the renderer gets back is who, not how.
 */
export class SessionService {
  readonly #connection: FactoryConnection;
  #email: string | null = null;
  #role: string | null = null;

  constructor(connection: FactoryConnection) {
    this.#connection = connection;
  }

  async getState(): Promise<SessionState> {
    const info = this.#connection.info;
    let signedIn: boolean;
    try {
      signedIn = this.#connection.client.signedIn;
    } catch {
      // Not connected (yet): nobody can be signed in.
      signedIn = false;
    }
    return {
      signedIn,
      email: signedIn ? this.#email : null,
      role: signedIn ? this.#role : null,
      serverUrl: info.serverUrl,
    };
  }

  async login(input: LoginInput): Promise<SessionState> {
    const response = await this.#connection.client.login(input.email, input.password);
    this.#email = response.user.email;
    this.#role = response.user.role;
    return this.getState();
  }

  async logout(): Promise<SessionState> {
    try {
      await this.#connection.client.logout();
    } finally {
      this.#email = null;
      this.#role = null;
    }
    return this.getState();
  }

  /** Forgets who was signed in (the server changed). */
  reset(): void {
    this.#email = null;
    this.#role = null;
  }
}
