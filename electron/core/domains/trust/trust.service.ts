/**
 * `server.inspect` and `server.trust`: the console's trust-on-first-use step for an
 * https Factory API (docs/OPERATOR.md §Using the console). Inspecting reads the certificate the
 * server presents and sends it nothing; trusting pins it, but only if the server
 * presents exactly the fingerprint the operator compared (with what `factory-api`
 * printed at start, or what the administrator sent). Nothing else pins a certificate,
 * and an https server without a pin cannot be selected (see {@link requireTrusted}).
 */
import { X509Certificate } from 'node:crypto';
import type { ServerIdentity } from '../../../../shared/common/contract/bridge.ts';
import type { ServerTrustInput, ServerUrlInput } from '../../../../shared/common/contract/inputs.ts';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import {
  normaliseFingerprint,
  probeCertificate,
  type CertificatePin,
} from '../../factory-api/pinned-transport.ts';
import { ConsoleError } from '../../platform/console-error.ts';
import { originOf, type KnownServersStore } from '../../factory-api/trust-store.ts';
import type { DomainHandlers } from '../../ipc/handlers.ts';

export interface ServerTrustOptions {
  /** Reads the certificate a server presents (tests inject one). */
  probe?: (url: string) => Promise<CertificatePin>;
  /** Called after a pin was written (the console reconnects if it is the server in use). */
  onPinned?: (origin: string) => Promise<void>;
}

export class ServerTrustService implements DomainHandlers<'server'> {
  readonly #known: KnownServersStore;
  readonly #probe: (url: string) => Promise<CertificatePin>;
  readonly #onPinned: (origin: string) => Promise<void>;

  constructor(known: KnownServersStore, options: ServerTrustOptions = {}) {
    this.#known = known;
    this.#probe = options.probe ?? probeCertificate;
    this.#onPinned = options.onPinned ?? (async () => undefined);
  }

  async inspect(input: ServerUrlInput): Promise<ServerIdentity> {
    const origin = originOf(input.url);
    if (new URL(input.url).protocol !== 'https:') return plainHttp(origin);
    return this.#identity(origin, await this.#probe(input.url));
  }

  async trust(input: ServerTrustInput): Promise<ServerIdentity> {
    const origin = originOf(input.url);
    if (new URL(input.url).protocol !== 'https:')
      throw new ConsoleError(
        ErrorCode.BadRequest,
        'Plain http has no certificate to trust. Use https for any server that is not on this machine.',
      );
    const expected = normaliseFingerprint(input.fingerprint256);
    const presented = await this.#probe(input.url);
    if (presented.fingerprint256 !== expected)
      throw new ConsoleError(
        ErrorCode.CertificateMismatch,
        `The server presents certificate ${presented.fingerprint256}, not the confirmed ${expected}. ` +
          'Nothing was pinned or sent. Check the fingerprint with the server administrator.',
      );
    await this.#known.pin(input.url, presented);
    await this.#onPinned(origin);
    return this.#identity(origin, presented);
  }

  /** Throws unless `url` is plain http or its origin has a pinned certificate. */
  requireTrusted(url: string): void {
    if (new URL(url).protocol !== 'https:' || this.#known.pinFor(url)) return;
    throw new ConsoleError(
      ErrorCode.CertificateMismatch,
      `No certificate is confirmed for ${originOf(url)} yet: check its fingerprint and trust it first (Sign in view).`,
    );
  }

  /** The pin of `url`'s origin, for the connection and for activation. */
  pinFor(url: string): CertificatePin | undefined {
    return new URL(url).protocol === 'https:' ? this.#known.pinFor(url) : undefined;
  }

  #identity(origin: string, presented: CertificatePin): ServerIdentity {
    const pinned = this.#known.pinFor(origin)?.fingerprint256 ?? null;
    const details = describe(presented.pem);
    return {
      origin,
      trust: pinned === null ? 'new' : pinned === presented.fingerprint256 ? 'trusted' : 'changed',
      presented: presented.fingerprint256,
      pinned,
      ...details,
    };
  }
}

function plainHttp(origin: string): ServerIdentity {
  return { origin, trust: 'plain_http', presented: null, pinned: null, subject: null, validTo: null };
}

/** Subject and expiry, shown next to the fingerprint; an unparsable certificate shows neither. */
function describe(pem: string): Pick<ServerIdentity, 'subject' | 'validTo'> {
  try {
    const certificate = new X509Certificate(pem);
    return {
      subject: certificate.subject.replace(/\n/g, ', ').slice(0, 300),
      validTo: new Date(certificate.validTo).toISOString(),
    };
  } catch {
    return { subject: null, validTo: null };
  }
}
