/**
 * Loads the Wycheproof vectors vendored in test/fixtures/wycheproof (see its README.md).
 * A missing, edited or empty file fails loudly: a vector test that silently tests
 * nothing is worse than none.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root: this file is test/shared/node/crypto/wycheproof.ts. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const WYCHEPROOF_DIR = resolve(REPO_ROOT, 'test/fixtures/wycheproof');

/** SHA-256 of each vendored file, from test/fixtures/wycheproof/SHA256SUMS. */
function expectedSums(): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of readFileSync(resolve(WYCHEPROOF_DIR, 'SHA256SUMS'), 'utf8').split('\n')) {
    const match = /^([0-9a-f]{64}) {2}(\S+)$/.exec(line);
    if (match) sums.set(match[2]!, match[1]!);
  }
  return sums;
}

export interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  result: 'valid' | 'invalid' | 'acceptable';
  [field: string]: unknown;
}

export interface WycheproofGroup {
  tests: WycheproofTest[];
  [field: string]: unknown;
}

/**
 * The raw text of one vendored vector file; throws when it is missing or its SHA-256
 * differs from SHA256SUMS (an edited vector would test something else than upstream).
 */
export function readVectorFile(name: string): string {
  const path = resolve(WYCHEPROOF_DIR, name);
  if (!existsSync(path)) throw new Error(`Wycheproof vectors missing: ${path}`);
  const bytes = readFileSync(path);
  const expected = expectedSums().get(name);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (expected !== actual)
    throw new Error(`${path}: SHA-256 ${actual} is not the one in SHA256SUMS (${expected ?? 'none listed'})`);
  return bytes.toString('utf8');
}

/** The test groups of one vector file; throws when the file is missing, edited or empty. */
export function loadVectors(name: string): WycheproofGroup[] {
  const file = JSON.parse(readVectorFile(name)) as {
    numberOfTests: number;
    testGroups: WycheproofGroup[];
  };
  const count = file.testGroups.reduce((sum, group) => sum + group.tests.length, 0);
  if (count === 0 || count !== file.numberOfTests)
    throw new Error(`${name}: expected ${file.numberOfTests} tests, found ${count}`);
  return file.testGroups;
}

/** Hex field of a vector as bytes. */
export function hex(test: WycheproofTest, field: string): Buffer {
  const value = test[field];
  if (typeof value !== 'string') throw new Error(`vector ${test.tcId}: field ${field} missing`);
  return Buffer.from(value, 'hex');
}
