import { describe, expect, it } from 'vitest';
import {
  ed25519KeyId,
  formatVerifierKey,
  NoteVerificationError,
  openNote,
  parseVerifierKey,
  signNote,
} from '../../../../shared/node/audit/signed-note.ts';
import { generateSigningKeyPair } from '../../../../shared/node/crypto/signing.ts';

// The reference vector of Go's golang.org/x/mod/sumdb/note (note_test.go), an
// independent implementation of the C2SP signed-note format.
const GO_SIGNER_KEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VERIFIER_KEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;
const goSeed = Buffer.from(GO_SIGNER_KEY.split('+').slice(4).join('+'), 'base64').subarray(1);

describe('C2SP signed note', () => {
  it('verifies the Go reference note and reproduces it byte for byte', () => {
    const verifier = parseVerifierKey(GO_VERIFIER_KEY);
    expect(verifier.name).toBe('PeterNeumann');
    expect(verifier.keyId).toBe(0xc74f20a3);
    expect(ed25519KeyId('PeterNeumann', verifier.publicKey)).toBe(0xc74f20a3);
    expect(openNote(GO_NOTE, verifier)).toBe(GO_TEXT);
    expect(signNote(GO_TEXT, 'PeterNeumann', goSeed)).toBe(GO_NOTE);
    expect(formatVerifierKey('PeterNeumann', verifier.publicKey)).toBe(GO_VERIFIER_KEY);
  });

  it('rejects every single-byte change of the note', () => {
    const verifier = parseVerifierKey(GO_VERIFIER_KEY);
    const bytes = Buffer.from(GO_NOTE, 'utf8');
    let rejected = 0;
    for (let offset = 0; offset < bytes.length; offset += 1) {
      const copy = Buffer.from(bytes);
      copy[offset] = (copy[offset] ?? 0) ^ 0x01;
      try {
        openNote(copy.toString('utf8'), verifier);
      } catch (error) {
        expect(error).toBeInstanceOf(NoteVerificationError);
        rejected += 1;
      }
    }
    expect(rejected).toBe(bytes.length);
  });

  it('rejects a note signed by another key under the same name, and malformed verifier keys', () => {
    const other = generateSigningKeyPair();
    const forged = signNote(GO_TEXT, 'PeterNeumann', other.privateKey);
    expect(() => openNote(forged, parseVerifierKey(GO_VERIFIER_KEY))).toThrow(/not signed by/);
    for (const bad of [
      '',
      'PeterNeumann',
      'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      GO_VERIFIER_KEY.slice(0, -4),
    ]) {
      expect(() => parseVerifierKey(bad)).toThrow();
    }
  });

  it('refuses to sign text that is not a valid note body', () => {
    const { privateKey } = generateSigningKeyPair();
    expect(() => signNote('no newline', 'k', privateKey)).toThrow();
    expect(() => signNote('a\n\nb\n', 'k', privateKey)).toThrow();
    expect(() => signNote('ok\n', 'bad name', privateKey)).toThrow();
  });
});
