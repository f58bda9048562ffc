/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys, the envelope of
 * our audit checkpoints. Byte-compatible with Go's `golang.org/x/mod/sumdb/note`, so any
 * transparency-log tooling can check our checkpoints too.
 *
 * - A note is UTF-8 text ending in `\n`, a blank line, then signature lines
 *   `— <name> <base64(key id ‖ signature)>\n` (U+2014 em dash, then a space).
 * - The Ed25519 signature covers the text including its final newline.
 * - key id = first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key), big-endian.
 * - Verifier key: `<name>+<hex8 key id>+<base64(0x01 ‖ public key)>`.
 */
import { createHash } from 'node:crypto';
import { ED25519_KEY_BYTES, signBytes, signingPublicKeyOf, verifyBytes } from '../crypto/signing.ts';

const ALG_ED25519 = 0x01;
const SIGNATURE_PREFIX = '\u2014 ';
const MAX_NOTE_BYTES = 1024 * 1024;
const MAX_SIGNATURES = 100;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Whether text has an ASCII control character (below U+0020), newline allowed or not. */
function hasControl(text: string, newlineAllowed: boolean): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 && !(newlineAllowed && code === 0x0a)) return true;
  }
  return false;
}

/** A note that did not verify; one message per cause, never which byte differed. */
export class NoteVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoteVerificationError';
  }
}

/** A parsed verifier key. */
export interface NoteVerifier {
  name: string;
  keyId: number;
  publicKey: Buffer;
}

/** Names are non-empty, with no Unicode space and no `+` (signed-note §Signatures). */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && !hasControl(name, false);
}

/** The 4-byte key id of an Ed25519 key, as an unsigned 32-bit integer. */
export function ed25519KeyId(name: string, publicKey: Uint8Array): number {
  const digest = createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, ALG_ED25519]))
    .update(publicKey)
    .digest();
  return digest.readUInt32BE(0);
}

/** The verifier-key string an operator pins (`--key`) for this name and public key. */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) throw new RangeError('invalid signed-note key name');
  if (publicKey.length !== ED25519_KEY_BYTES) throw new RangeError('Ed25519 public key must be 32 bytes');
  const id = ed25519KeyId(name, publicKey).toString(16).padStart(8, '0');
  return `${name}+${id}+${Buffer.concat([Buffer.from([ALG_ED25519]), publicKey]).toString('base64')}`;
}

/** Parses and checks a verifier key (its key id must match its name and key). */
export function parseVerifierKey(vkey: string): NoteVerifier {
  const parts = vkey.trim().split('+');
  // The base64 part may itself contain '+': name and id are the first two fields.
  const [name, idHex] = parts;
  const keyData = parts.slice(2).join('+');
  if (
    !name ||
    !idHex ||
    !keyData ||
    !isValidKeyName(name) ||
    !/^[0-9a-f]{8}$/.test(idHex) ||
    !BASE64.test(keyData)
  ) {
    throw new RangeError('malformed verifier key: expected <name>+<hex key id>+<base64 key>');
  }
  const raw = Buffer.from(keyData, 'base64');
  if (raw.length !== 1 + ED25519_KEY_BYTES || raw[0] !== ALG_ED25519) {
    throw new RangeError('verifier key is not an Ed25519 key');
  }
  const publicKey = raw.subarray(1);
  const keyId = Number.parseInt(idHex, 16);
  if (ed25519KeyId(name, publicKey) !== keyId) throw new RangeError('verifier key id does not match its key');
  return { name, keyId, publicKey: Buffer.from(publicKey) };
}

function checkText(text: string): void {
  if (!text.endsWith('\n')) throw new RangeError('note text must end with a newline');
  if (text.includes('\n\n')) throw new RangeError('note text must not contain a blank line');
  if (hasControl(text, true)) throw new RangeError('note text must not contain control characters');
}

/**
 * Signs `text` as a note. HAZMAT: `seed` is the raw Ed25519 private key (secret; do not
 * log); only the server's checkpoint signer and tests call this.
 */
export function signNote(text: string, name: string, seed: Uint8Array): string {
  checkText(text);
  if (!isValidKeyName(name)) throw new RangeError('invalid signed-note key name');
  const publicKey = signingPublicKeyOf(seed);
  const id = Buffer.alloc(4);
  id.writeUInt32BE(ed25519KeyId(name, publicKey));
  const signature = signBytes(seed, Buffer.from(text, 'utf8'));
  return `${text}\n${SIGNATURE_PREFIX}${name} ${Buffer.concat([id, signature]).toString('base64')}\n`;
}

/**
 * Verifies a note against one trusted key and returns its text. Untrusted input: any
 * malformed note, unknown signer or bad signature throws {@link NoteVerificationError}.
 */
export function openNote(note: string, verifier: NoteVerifier): string {
  if (Buffer.byteLength(note, 'utf8') > MAX_NOTE_BYTES) throw new NoteVerificationError('note is too large');
  if (hasControl(note, true)) throw new NoteVerificationError('note contains control characters');
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new NoteVerificationError('note has no signature block');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new NoteVerificationError('note has too many signatures');
  let matched = false;
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) throw new NoteVerificationError('malformed signature line');
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.lastIndexOf(' ');
    const name = rest.slice(0, space);
    const encoded = rest.slice(space + 1);
    if (space <= 0 || !isValidKeyName(name) || !BASE64.test(encoded)) {
      throw new NoteVerificationError('malformed signature line');
    }
    const blob = Buffer.from(encoded, 'base64');
    if (blob.length < 5) throw new NoteVerificationError('malformed signature line');
    if (name !== verifier.name || blob.readUInt32BE(0) !== verifier.keyId) continue;
    // The first line from our key decides (as Go's note.Open): a bad signature rejects the note.
    if (!verifyBytes(verifier.publicKey, Buffer.from(text, 'utf8'), blob.subarray(4))) {
      throw new NoteVerificationError('signature does not verify');
    }
    matched = true;
    break;
  }
  if (!matched) throw new NoteVerificationError(`note is not signed by ${verifier.name}`);
  return text;
}
