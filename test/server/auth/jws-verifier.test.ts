/**
 * The Wycheproof `json_web_*` vectors (C2SP/wycheproof, vendored unmodified in
 * test/fixtures/wycheproof) through our JWS verifier. The algorithm is pinned
 * from the key (our policy); where the key names none, from the token — the verifier
 * must then still refuse a key that does not fit.
 *
 * Where our verdict differs from a vector's, the case is listed in DELIBERATE with
 * the reason, and the test fails if the list and reality drift apart.
 */
import { describe, expect, it } from 'vitest';
import {
  JWS_ALGORITHMS,
  JwsError,
  verifyCompactJws,
  type JwkInput,
  type JwsAlgorithm,
} from '../../../server/auth/jws-verifier.ts';
import { readVectorFile } from '../../shared/node/crypto/wycheproof.ts';

interface Vector {
  tcId: number;
  comment: string;
  jws?: unknown;
  jwe?: unknown;
  result: 'valid' | 'invalid' | 'acceptable';
  flags?: string[];
}
interface Group {
  comment?: string;
  public?: JwkInput;
  private?: JwkInput;
  tests: Vector[];
}

function load(file: string): Group[] {
  return (JSON.parse(readVectorFile(file)) as { testGroups: Group[] }).testGroups;
}

function pinnedAlgorithm(key: JwkInput, token: unknown): JwsAlgorithm {
  const fromKey = 'alg' in key ? key.alg : undefined;
  if ((JWS_ALGORITHMS as readonly unknown[]).includes(fromKey)) return fromKey as JwsAlgorithm;
  if (typeof token === 'string') {
    try {
      const alg = (
        JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg?: unknown }
      ).alg;
      if ((JWS_ALGORITHMS as readonly unknown[]).includes(alg)) return alg as JwsAlgorithm;
    } catch {
      // fall through to a default the key will not fit
    }
  }
  return 'HS256';
}

async function accepts(key: JwkInput, token: unknown): Promise<boolean> {
  try {
    await verifyCompactJws(
      typeof token === 'string' ? token : JSON.stringify(token),
      key,
      pinnedAlgorithm(key, token),
    );
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(JwsError);
    return false;
  }
}

/** Verdicts where we knowingly differ from the vector file, with why. */
const DELIBERATE: Record<string, string> = {
  'json_web_signature_test.json#346':
    'key says alg PS256, token is PS384: a key is used only for its own alg (RFC 7517 §4.4)',
  'json_web_signature_test.json#350': 'same as #346 with key_ops',
  'json_web_signature_test.json#347': 'key alg "ES521" is not a registered JWS algorithm (ES512 is): refused',
  'json_web_signature_test.json#351': 'same as #347 with key_ops',
  'json_web_signature_test.json#367':
    'token is byte-identical to the valid #357: no correct verifier can refuse it',
  'json_web_signature_test.json#370':
    'token is byte-identical to the valid #357: no correct verifier can refuse it',
  'json_web_signature_test.json#372':
    "a '?' inside base64url: we refuse non-alphabet characters (RFC 7515 §2), lenient decoders drop them",
  'json_web_signature_test.json#373':
    "a '?' inside base64url: we refuse non-alphabet characters (RFC 7515 §2), lenient decoders drop them",
};

describe('Wycheproof json_web_* vectors through our verifier', () => {
  for (const file of [
    'json_web_signature_test.json',
    'json_web_key_test.json',
    'json_web_crypto_test.json',
  ]) {
    it(`${file}: every verdict matches, except the documented ones`, async () => {
      const differences: string[] = [];
      let count = 0;
      for (const group of load(file)) {
        const key = group.public ?? group.private;
        expect(key).toBeDefined();
        for (const vector of group.tests) {
          const token = vector.jws ?? vector.jwe;
          if (vector.result === 'acceptable') continue;
          count += 1;
          const accepted = await accepts(key!, token);
          // We accept signatures only: a JWE (encrypted token) is always refused.
          const expected = vector.jwe === undefined && vector.result === 'valid';
          if (accepted !== expected) differences.push(`${file}#${vector.tcId}`);
        }
      }
      expect(count).toBeGreaterThan(20);
      expect(differences.sort()).toEqual(
        Object.keys(DELIBERATE)
          .filter((id) => id.startsWith(`${file}#`))
          .sort(),
      );
    });
  }

  it('json_web_encryption_test.json: every JWE, valid or not, is refused as an access token', async () => {
    let count = 0;
    for (const group of load('json_web_encryption_test.json')) {
      const key = group.private ?? group.public;
      for (const vector of group.tests) {
        count += 1;
        expect(await accepts(key!, vector.jwe ?? vector.jws)).toBe(false);
      }
    }
    expect(count).toBe(139);
  });

  it('accepts a valid vector and refuses it once one signature byte changes (sanity of the harness)', async () => {
    const group = load('json_web_signature_test.json')[0]!;
    const valid = group.tests.find((vector) => vector.result === 'valid')!;
    const token = valid.jws as string;
    expect(await accepts(group.private!, token)).toBe(true);
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    expect(await accepts(group.private!, `${token.slice(0, -2)}${last}${token.at(-1)}`)).toBe(false);
  });
});
