/**
 * A throwaway P-256 key and self-signed certificate for 127.0.0.1, made by openssl's
 * command line (an implementation other than ours), valid one day.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export interface CertificateFiles {
  keyFile: string;
  certFile: string;
}

/** Writes `<name>.key` and `<name>.pem` into `dir` and returns their paths. */
export function selfSignedCertificate(dir: string, name: string): CertificateFiles {
  const keyFile = path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-days',
      '1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { keyFile, certFile };
}
