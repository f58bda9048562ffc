/**
 * The browser's side of a passkey: `navigator.credentials` lives in the page, so the main
 * side hands over public options (challenge, relying party, credential ids), the
 * authenticator answers here through `@simplewebauthn/browser`, and the answer (signed,
 * public) goes back to the main side, which sends it to the server.
 */
import { startAuthentication, startRegistration, WebAuthnError } from '@simplewebauthn/browser';
import type { WebAuthnRequest } from '../../../../shared/common/contract/bridge.ts';
import type { BridgeError } from '../../../../shared/common/contract/result.ts';

type Outcome = { ok: true; value: Record<string, unknown> } | { ok: false; error: BridgeError };

function refusal(error: unknown): { ok: false; error: BridgeError } {
  // NotAllowedError: the operator cancelled, or no passkey of this account is on this device.
  const cancelled =
    (error instanceof WebAuthnError && error.code === 'ERROR_CEREMONY_ABORTED') ||
    (error instanceof Error && error.name === 'NotAllowedError');
  return {
    ok: false,
    error: {
      code: cancelled ? 'cancelled' : 'unavailable',
      message: cancelled
        ? 'The passkey was not used (cancelled, or none of this account is on this device).'
        : 'This browser could not use a passkey here.',
    },
  };
}

export async function passkeyAssertion(request: WebAuthnRequest): Promise<Outcome> {
  try {
    const answer = await startAuthentication({
      optionsJSON: request.options as unknown as Parameters<typeof startAuthentication>[0]['optionsJSON'],
    });
    return { ok: true, value: answer as unknown as Record<string, unknown> };
  } catch (error) {
    return refusal(error);
  }
}

export async function passkeyRegistration(request: WebAuthnRequest): Promise<Outcome> {
  try {
    const answer = await startRegistration({
      optionsJSON: request.options as unknown as Parameters<typeof startRegistration>[0]['optionsJSON'],
    });
    return { ok: true, value: answer as unknown as Record<string, unknown> };
  } catch (error) {
    return refusal(error);
  }
}
