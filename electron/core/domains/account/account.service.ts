/**
 * `account.*`: the signed-in account's second factors, API keys, sessions and step-up
 * (docs/IDENTITY.md). Secrets: a TOTP secret and recovery codes are returned to the UI
 * exactly once, for display (the one sanctioned crossing of IPC); they are never kept
 * here and never logged (the router logs channel and outcome only). A passkey step-up's
 * single-use token stays inside the API client.
 */
import { z } from 'zod';
import { apiKeyListSchema, type ApiKey } from '../../../../shared/common/api/api-keys.ts';
import { sessionListResponseSchema, type SessionInfo } from '../../../../shared/common/api/auth.ts';
import {
  factorsResponseSchema,
  passkeySchema,
  recoveryCodesResponseSchema,
  totpEnrolResponseSchema,
  type FactorsResponse,
  type Passkey,
} from '../../../../shared/common/api/identity.ts';
import type {
  PasskeyInput,
  PasskeyRegisterInput,
  PasskeyRenameInput,
  ReauthInput,
  SessionInput,
  TotpCodeInput,
} from '../../../../shared/common/contract/account-inputs.ts';
import type {
  AccountOverview,
  ApiKeySummary,
  PasskeyRegistration,
  PasskeySummary,
  RecoveryCodes,
  SessionSummary,
  StepUpMethod,
  TotpEnrolment,
  WebAuthnRequest,
} from '../../../../shared/common/contract/bridge.ts';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { Permission, roleHasPermission, ROLES, type Role } from '../../../../shared/common/roles.ts';
import { noContentSchema } from '../../factory-api/factory-api.client.ts';
import type { FactoryConnection } from '../../factory-api/factory-connection.ts';
import type { DomainHandlers } from '../../ipc/handlers.ts';
import { ConsoleError } from '../../platform/console-error.ts';

const registeredSchema = z.object({
  passkey: passkeySchema,
  recovery_codes: z.array(z.string()).optional(),
});

function toPasskey(passkey: Passkey): PasskeySummary {
  return {
    id: passkey.id,
    name: passkey.name,
    createdAt: passkey.created_at,
    lastUsedAt: passkey.last_used_at,
  };
}

function toApiKey(key: ApiKey): ApiKeySummary {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: [...key.scopes],
    createdAt: key.created_at,
    expiresAt: key.expires_at ?? null,
    lastUsedAt: key.last_used_at,
  };
}

function toSession(session: SessionInfo): SessionSummary {
  return {
    id: session.id,
    via: session.via,
    createdAt: session.created_at,
    lastUsedAt: session.last_used_at,
    expiresAt: session.expires_at,
    current: session.current,
  };
}

/** How an account with these factors steps up: the password only while it has none. */
export function stepUpMethodsOf(factors: FactorsResponse): StepUpMethod[] {
  const methods: StepUpMethod[] = [];
  if (factors.totp) methods.push('totp');
  if (factors.passkeys.length > 0) methods.push('webauthn');
  if (factors.recovery_codes_left > 0) methods.push('recovery');
  return methods.length > 0 ? methods : ['password'];
}

export class AccountService implements DomainHandlers<'account'> {
  readonly #connection: FactoryConnection;

  constructor(connection: FactoryConnection) {
    this.#connection = connection;
  }

  #client() {
    const client = this.#connection.client;
    if (!client.session) throw new ConsoleError(ErrorCode.Unauthenticated, 'Sign in first.');
    return client;
  }

  async #factors(): Promise<FactorsResponse> {
    return this.#client().send('/api/v1/auth/mfa', { schema: factorsResponseSchema });
  }

  async overview(): Promise<AccountOverview> {
    const client = this.#client();
    const user = client.session!.user;
    const factors = await this.#factors();
    const mayReadKeys =
      (ROLES as readonly string[]).includes(user.role) &&
      roleHasPermission(user.role as Role, Permission.ApiKeysRead);
    // The list can hold every account's keys (an administrator's view): this one shows its own.
    const keys = mayReadKeys
      ? (await client.send('/api/v1/api-keys', { schema: apiKeyListSchema })).api_keys
          .filter((key) => key.owner_id === user.id)
          .map(toApiKey)
      : null;
    return {
      email: user.email,
      role: user.role,
      totp: factors.totp,
      passkeys: factors.passkeys.map(toPasskey),
      recoveryCodesLeft: factors.recovery_codes_left,
      required: factors.required,
      webauthnAvailable: factors.webauthn_available,
      apiKeys: keys,
      stepUpMethods: stepUpMethodsOf(factors),
    };
  }

  async stepUpMethods(): Promise<StepUpMethod[]> {
    return stepUpMethodsOf(await this.#factors());
  }

  async reauthOptions(): Promise<WebAuthnRequest> {
    return { options: await this.#client().stepUpOptions() };
  }

  // Secret: the password or code goes to the server once and is not kept.
  async reauth(input: ReauthInput): Promise<{ validUntil: string }> {
    return this.#client().reauth(input);
  }

  // Secret: returned once for display, never kept or logged.
  async startTotp(): Promise<TotpEnrolment> {
    const started = await this.#client().send('/api/v1/auth/mfa/totp', {
      method: 'POST',
      schema: totpEnrolResponseSchema,
    });
    return { secret: started.secret, otpauthUrl: started.otpauth_url };
  }

  async confirmTotp(input: TotpCodeInput): Promise<RecoveryCodes> {
    const confirmed = await this.#client().send('/api/v1/auth/mfa/totp/confirm', {
      method: 'POST',
      body: { code: input.code },
      schema: recoveryCodesResponseSchema,
      refreshOn401: false,
    });
    return { recoveryCodes: confirmed.recovery_codes };
  }

  async disableTotp(input: TotpCodeInput): Promise<{ disabled: boolean }> {
    await this.#client().send('/api/v1/auth/mfa/totp/disable', {
      method: 'POST',
      body: { code: input.code },
      schema: noContentSchema,
      refreshOn401: false,
    });
    return { disabled: true };
  }

  async newRecoveryCodes(): Promise<RecoveryCodes> {
    const codes = await this.#client().send('/api/v1/auth/mfa/recovery-codes', {
      method: 'POST',
      schema: recoveryCodesResponseSchema,
    });
    return { recoveryCodes: codes.recovery_codes };
  }

  async passkeyOptions(): Promise<WebAuthnRequest> {
    const options = await this.#client().send('/api/v1/auth/mfa/webauthn/register/options', {
      method: 'POST',
      schema: z.record(z.string(), z.unknown()),
    });
    return { options };
  }

  async registerPasskey(input: PasskeyRegisterInput): Promise<PasskeyRegistration> {
    const registered = await this.#client().send('/api/v1/auth/mfa/webauthn/register', {
      method: 'POST',
      body: { name: input.name, response: input.response },
      schema: registeredSchema,
    });
    return { passkey: toPasskey(registered.passkey), recoveryCodes: registered.recovery_codes ?? null };
  }

  async renamePasskey(input: PasskeyRenameInput): Promise<PasskeySummary[]> {
    await this.#client().send(`/api/v1/auth/mfa/webauthn/${encodeURIComponent(input.passkeyId)}`, {
      method: 'PATCH',
      body: { name: input.name },
      schema: noContentSchema,
    });
    return (await this.#factors()).passkeys.map(toPasskey);
  }

  async removePasskey(input: PasskeyInput): Promise<PasskeySummary[]> {
    await this.#client().send(`/api/v1/auth/mfa/webauthn/${encodeURIComponent(input.passkeyId)}`, {
      method: 'DELETE',
      schema: noContentSchema,
    });
    return (await this.#factors()).passkeys.map(toPasskey);
  }

  async sessions(): Promise<SessionSummary[]> {
    const listed = await this.#client().send('/api/v1/auth/sessions', { schema: sessionListResponseSchema });
    return listed.sessions.map(toSession);
  }

  async revokeSession(input: SessionInput): Promise<{ revoked: boolean }> {
    await this.#client().send(`/api/v1/auth/sessions/${encodeURIComponent(input.id)}`, {
      method: 'DELETE',
      schema: noContentSchema,
    });
    return { revoked: true };
  }
}
