import { X509Certificate, createPrivateKey } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../../../shared/node/crypto/x509.forge.ts';

describe('createSelfSignedCertificate (node-forge adapter)', () => {
  const result = createSelfSignedCertificate({
    commonName: 'factory.local',
    altNames: ['factory.local', '127.0.0.1'],
    days: 30,
  });

  it('is self-signed by its key, with the names, validity and fingerprint asked for', () => {
    const cert = new X509Certificate(result.certPem);
    expect(cert.subject).toBe('CN=factory.local');
    expect(cert.issuer).toBe('CN=factory.local');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(result.keyPem))).toBe(true);
    expect(cert.subjectAltName).toContain('DNS:factory.local');
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.checkHost('factory.local')).toBe('factory.local');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThan(31);
    expect(result.fingerprint256).toBe(cert.fingerprint256);
    expect(result.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('parses with the openssl CLI as a SHA-256 RSA certificate', () => {
    const text = execFileSync('openssl', ['x509', '-noout', '-text'], {
      input: result.certPem,
      timeout: 10_000,
    }).toString();
    expect(text).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    expect(text).toMatch(/Public-Key: \(2048 bit\)/);
  });

  it('refuses a nonsensical validity', () => {
    expect(() => createSelfSignedCertificate({ commonName: 'x', altNames: [], days: 0 })).toThrow(RangeError);
  });
});
