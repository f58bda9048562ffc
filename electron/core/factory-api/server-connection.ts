/**
 * The one way to a Factory API (docs/ARCHITECTURE.md §One way to the server): a pinned
 * transport (keep-alive pool; for https, the certificate the operator confirmed and
 * nothing else) and the one client over it (tokens renewed with the rotating refresh
 * token, retries, 429, circuit breaker). The views, the unlock, export, verify,
 * activate and deactivate paths, the UI and the CLI all open their connections here,
 * with their pins from the one trust store (`known-servers.json` in the console home).
 */
import { ErrorCode } from '../../../shared/common/errors.ts';
import { ConsoleError } from '../platform/console-error.ts';
import { PinnedTransport, type CertificatePin } from './pinned-transport.ts';
import { ResilientApiClient, type ResilientApiClientOptions } from './resilient-api.client.ts';
import { originOf, type KnownServersStore } from './trust-store.ts';

/** A client and the pinned transport under it (the CDN download streams through the transport). */
export interface ServerConnection {
  readonly client: ResilientApiClient;
  readonly transport: PinnedTransport;
  close(): void;
}

export type ConnectionOptions = Partial<Omit<ResilientApiClientOptions, 'baseUrl' | 'fetch'>>;

/**
 * Opens a connection to `serverUrl` through `pin`. An https server without a pin is
 * refused before a byte is sent (a password or a token must never reach a certificate
 * nobody confirmed).
 */
export function openConnection(
  serverUrl: string,
  pin: CertificatePin | null | undefined,
  options: ConnectionOptions = {},
): ServerConnection {
  if (new URL(serverUrl).protocol === 'https:' && !pin)
    throw new ConsoleError(
      ErrorCode.CertificateMismatch,
      `No certificate is confirmed for ${originOf(serverUrl)}: check its fingerprint and trust it (Sign in view, or factory-console activate --fingerprint).`,
    );
  const transport = new PinnedTransport(serverUrl, pin ? { pin } : {});
  const client = new ResilientApiClient({
    timeoutMs: 15_000,
    ...options,
    baseUrl: serverUrl,
    fetch: transport.fetch,
  });
  return { client, transport, close: () => transport.close() };
}

/** Opens a connection to `serverUrl` with the pin the trust store holds for its origin. */
export function connectTrusted(
  serverUrl: string,
  trust: Pick<KnownServersStore, 'pinFor'>,
  options: ConnectionOptions = {},
): ServerConnection {
  return openConnection(serverUrl, trust.pinFor(serverUrl), options);
}
