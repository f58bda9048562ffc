/**
 * An activation is bound to its server's identity — its signing key, and for https
 * the certificate this console trusts — not to an address that can change (the
 * embedded factory's port after a restart, a server moved behind a new name). When
 * the console reaches the activation's server at another address, the server proves
 * it holds the activation's signing key by signing a fresh challenge, and the record
 * is re-pointed at the new address. Any other server is refused, loudly.
 */
import { randomBytes } from 'node:crypto';
import {
  SERVER_IDENTITY_PURPOSE,
  serverIdentityResponseSchema,
} from '../../../../shared/common/api/resources.ts';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { verifyCanonical } from '../../../../shared/node/crypto/signing.ts';
import type { CertificatePin } from '../../factory-api/pinned-transport.ts';
import type { ServerConnection } from '../../factory-api/server-connection.ts';
import { originOf } from '../../factory-api/trust-store.ts';
import { ConsoleError } from '../../platform/console-error.ts';
import { requireActivation, writeActivation, type Activation } from './activation.store.ts';

/** True when `url` is the address the activation was made with (scheme, host and port). */
export function sameServerAddress(activation: Pick<Activation, 'server_url'>, url: string): boolean {
  return originOf(activation.server_url) === originOf(url);
}

/**
 * Asks the server behind `connection` (signed in) to sign a fresh challenge, and
 * checks the signature under `serverKey`. False for any other server.
 */
export async function provesServerKey(connection: ServerConnection, serverKey: string): Promise<boolean> {
  const nonce = randomBytes(32).toString('base64url');
  const answer = await connection.client.send(`/api/v1/machines/server-identity?nonce=${nonce}`, {
    schema: serverIdentityResponseSchema,
  });
  return (
    answer.server_key === serverKey &&
    verifyCanonical(
      Buffer.from(serverKey, 'base64'),
      { purpose: SERVER_IDENTITY_PURPOSE, nonce },
      answer.signature,
    )
  );
}

/**
 * This machine's activation, bound to the server `connection` reaches (signed in):
 * as it is when the address is the same; re-pointed at the connection's address when
 * the server there proves the activation's signing key (and an https activation stays
 * on https); otherwise a `conflict` that says which server the machine belongs to.
 */
export async function activationOnServer(
  home: string,
  connection: ServerConnection,
  pinOf: (url: string) => CertificatePin | undefined,
): Promise<Activation> {
  const activation = await requireActivation(home);
  const url = connection.client.baseUrl;
  if (sameServerAddress(activation, url)) return activation;
  const elsewhere = new ConsoleError(
    ErrorCode.Conflict,
    `This machine is activated with another Factory API (${activation.server_url}, key ${activation.key_id}); ` +
      `the console is connected to ${originOf(url)}. Connect to the activation's server in Settings, ` +
      'or deactivate this machine there (or with "factory-console deactivate --local-only") and activate it here.',
  );
  const https = new URL(url).protocol === 'https:';
  if (activation.certificate !== null && !https) throw elsewhere;
  if (!(await provesServerKey(connection, activation.server_key))) throw elsewhere;
  const pin = https ? (pinOf(url) ?? null) : null;
  const moved: Activation = { ...activation, server_url: url, certificate: pin };
  await writeActivation(home, moved);
  return moved;
}
