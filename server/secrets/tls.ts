/**
 * The server's TLS identity (docs/SECURITY.md §Factory API): a configured certificate, or a
 * first-run self-signed one under `data/tls/` made with node-forge (Node cannot create
 * X.509 certificates). Its SHA-256 fingerprint is printed at start so operators can pin it.
 */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSelfSignedCertificate } from '../../shared/node/crypto/x509.forge.ts';
import { createFileOnce, ensurePrivateDir } from './secret-file.ts';

export interface TlsIdentity {
  /** Private key, PEM. Secret: never logged. */
  key: string;
  cert: string;
  /** `AB:CD:…` SHA-256 of the certificate's DER, as browsers and `openssl x509 -fingerprint -sha256` show it. */
  fingerprint256: string;
  selfSigned: boolean;
}

/** The bundle (key then certificate, 0600) that holds the self-signed identity. */
export const SELF_SIGNED_FILE = 'self-signed.pem';
/**
 * 396 days (plus the minute the certificate is backdated): under the 397-day limit browsers
 * enforce for server certificates (docs/SERVER.md §TLS).
 */
const SELF_SIGNED_DAYS = 396;

/**
 * Mozilla's "intermediate" server configuration: TLS 1.2 and 1.3; for TLS 1.2 only
 * ECDHE key exchange with AEAD ciphers (no static RSA, no CBC, no ARIA, no finite-field DH);
 * X25519, P-256 and P-384; the client picks its preferred suite.
 */
export const TLS_SERVER_OPTIONS = Object.freeze({
  minVersion: 'TLSv1.2' as const,
  ciphers: [
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305',
  ].join(':'),
  ecdhCurve: 'X25519:P-256:P-384',
  honorCipherOrder: false,
});

function pemBlocks(text: string, label: string): string | undefined {
  const match = new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----`).exec(text);
  return match?.[0];
}

function identityOf(key: string, cert: string, selfSigned: boolean): TlsIdentity {
  return { key, cert, fingerprint256: new X509Certificate(cert).fingerprint256, selfSigned };
}

/** Loads the configured certificate, or the self-signed one (creating it on first start). */
export async function loadTlsIdentity(options: {
  dataDir: string;
  certFile?: string | undefined;
  keyFile?: string | undefined;
  host: string;
}): Promise<TlsIdentity> {
  if (options.certFile !== undefined && options.keyFile !== undefined) {
    const [cert, key] = await Promise.all([
      fs.readFile(options.certFile, 'utf8'),
      fs.readFile(options.keyFile, 'utf8'),
    ]);
    return identityOf(key, cert, false);
  }
  const dir = path.join(options.dataDir, 'tls');
  await ensurePrivateDir(dir);
  const file = path.join(dir, SELF_SIGNED_FILE);
  try {
    await fs.access(file);
  } catch {
    const altNames = [...new Set(['localhost', '127.0.0.1', '::1', os.hostname(), options.host])].filter(
      (name) => name !== '0.0.0.0' && name !== '::',
    );
    const created = await createSelfSignedCertificate({
      commonName: 'Factory API',
      altNames,
      days: SELF_SIGNED_DAYS,
    });
    // Lost a race with a concurrent first start: the winner's file is used below.
    await createFileOnce(file, `${created.keyPem.trim()}\n${created.certPem.trim()}\n`);
  }
  const bundle = await fs.readFile(file, 'utf8');
  const key = pemBlocks(bundle, '(?:RSA |EC )?PRIVATE KEY');
  const cert = pemBlocks(bundle, 'CERTIFICATE');
  if (key === undefined || cert === undefined) {
    throw new Error(
      `${file} is damaged: delete it to make a new self-signed certificate (clients must re-pin)`,
    );
  }
  return identityOf(key, cert, true);
}
