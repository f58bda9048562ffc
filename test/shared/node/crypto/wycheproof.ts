/**
 * Loads Wycheproof vectors from ../shared/vectors/wycheproof beside the checkout
 * (DESIGN.md §7). Missing files fail loudly: a vector test that silently tests
 * nothing is worse than none.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root: this file is test/shared/node/crypto/wycheproof.ts. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const WYCHEPROOF_DIR = resolve(REPO_ROOT, '../shared/vectors/wycheproof');

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

/** The test groups of one vector file; throws when the file is missing or empty. */
export function loadVectors(name: string): WycheproofGroup[] {
  const path = resolve(WYCHEPROOF_DIR, name);
  if (!existsSync(path)) {
    throw new Error(
      `Wycheproof vectors missing: ${path} (expected ../shared/vectors/wycheproof beside the checkout)`,
    );
  }
  const file = JSON.parse(readFileSync(path, 'utf8')) as {
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
