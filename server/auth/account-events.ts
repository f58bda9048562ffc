/**
 * Account changes that end what a credential holds open (`app.accountEvents`): a
 * sign-out names the session, a key's revocation the key, a disable, deletion, role or password change names the
 * user. Long-lived responses (the audit tail) listen and end the streams of that
 * session or user, so access checked at connect time does not outlive the credential.
 */
export interface AccountChange {
  userId?: string;
  sessionId?: string;
  /** A revoked API key. */
  apiKeyId?: string;
  /** With `userId`: this session of the user stays (a password change keeps the current one). */
  keepSessionId?: string;
}

export type AccountListener = (change: AccountChange) => void;

export class AccountEvents {
  readonly #listeners = new Set<AccountListener>();

  /** Listens; returns the function that stops listening. */
  on(listener: AccountListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(change: AccountChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch {
        // A listener's failure (a socket already gone) must not stop the others.
      }
    }
  }
}
