/**
 * The certificates this console trusts, one per Factory API origin (trust on first use,
 * docs/OPERATOR.md §Using the console): `known-servers.json` in the console home, like SSH's
 * known_hosts, shared by the UI and the CLI. A pin is written only after the operator
 * compared the fingerprint (`server.trust`, or `factory-console activate` with
 * `--fingerprint` or a confirmed prompt); every https connection of the console is pinned to it.
 *
 * Public data (certificates and fingerprints), but integrity matters: the file is
 * written atomically (0600) and validated on every read; an unreadable file pins
 * nothing, so https servers must be confirmed again rather than trusted blindly.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../../shared/node/atomic-file.ts';
import type { CertificatePin } from './pinned-transport.ts';

const FILE = 'known-servers.json';

const knownServersSchema = z.strictObject({
  format: z.literal('factory-console/known-servers/v1'),
  servers: z.record(
    z.string(),
    z.strictObject({
      fingerprint256: z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
      pem: z.string().max(64 * 1024),
      confirmedAt: z.iso.datetime({ offset: true }),
    }),
  ),
});
type KnownServers = z.infer<typeof knownServersSchema>;

/** The origin a pin is stored under: scheme, host and port (the default port spelled out). */
export function originOf(url: string): string {
  const parsed = new URL(url);
  const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
  return `${parsed.protocol}//${parsed.hostname}:${port}`;
}

function empty(): KnownServers {
  return { format: 'factory-console/known-servers/v1', servers: {} };
}

/** The file's pins; undefined when it is missing or does not validate (then it pins nothing). */
function parseFile(file: string): KnownServers | undefined {
  try {
    return knownServersSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}

export class KnownServersStore {
  readonly #file: string;
  readonly #legacy: string | undefined;
  // Writes are serialised so two quick confirmations cannot drop one another.
  #writing: Promise<void> = Promise.resolve();

  /**
   * @param home the console home.
   * @param legacyDir where an earlier version kept the file (the UI's data folder): its
   *   pins are taken over once, when the console home has none yet.
   */
  constructor(home: string, legacyDir?: string) {
    this.#file = path.join(home, FILE);
    if (legacyDir !== undefined && path.resolve(legacyDir) !== path.resolve(home))
      this.#legacy = path.join(legacyDir, FILE);
  }

  get file(): string {
    return this.#file;
  }

  #read(): KnownServers {
    // A damaged file of the console home pins nothing (confirm again); only a missing one falls back.
    if (existsSync(this.#file) || this.#legacy === undefined) return parseFile(this.#file) ?? empty();
    return parseFile(this.#legacy) ?? empty();
  }

  /** The pinned certificate of `url`'s origin, if the operator confirmed one. */
  pinFor(url: string): CertificatePin | undefined {
    const entry = this.#read().servers[originOf(url)];
    return entry ? { fingerprint256: entry.fingerprint256, pem: entry.pem } : undefined;
  }

  /** Pins `pin` for `url`'s origin, replacing an earlier pin. */
  pin(url: string, pin: CertificatePin, now = new Date()): Promise<void> {
    const write = async () => {
      const known = this.#read();
      known.servers[originOf(url)] = {
        fingerprint256: pin.fingerprint256,
        pem: pin.pem,
        confirmedAt: now.toISOString(),
      };
      await writeFileAtomic(this.#file, `${JSON.stringify(known, null, 2)}\n`);
    };
    this.#writing = this.#writing.catch(() => undefined).then(write);
    return this.#writing;
  }
}
