import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_ENTRY_KEYS,
  AUDIT_HASH_PREFIX,
  auditEntrySchema,
} from '../../../../shared/common/audit-event.ts';
import {
  CanonicalEncodingError,
  canonicalDetails,
  chainNext,
  encodeEntry,
  GENESIS_HEAD,
} from '../../../../shared/node/audit/audit-canonical.ts';
import { buildChain, fixtureFields } from './audit-fixture.ts';

describe('canonical encoding', () => {
  it('sorts details keys by UTF-16 code units at every level and keeps array order (RFC 8785)', () => {
    const details = {
      zeta: 1,
      alpha: { nested: [1, 2.5, -0.001, 'x'], é: 'ü\u0001"\\' },
      count: 5,
      '10': 'ten',
      '9': 'nine',
    };
    expect(canonicalDetails(details)).toBe(
      '{"10":"ten","9":"nine","alpha":{"nested":[1,2.5,-0.001,"x"],"é":"ü\\u0001\\"\\\\"},"count":5,"zeta":1}',
    );
  });

  it('writes numbers in the ECMAScript shortest form and refuses non-finite ones', () => {
    expect(canonicalDetails({ a: 1e21, b: 0.000001, c: 1e-7, d: -0, e: 100 })).toBe(
      '{"a":1e+21,"b":0.000001,"c":1e-7,"d":0,"e":100}',
    );
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => canonicalDetails({ bad })).toThrow(CanonicalEncodingError);
    }
  });

  it('escapes only what JSON requires and refuses lone surrogates, deep nesting, big details and non-plain values', () => {
    expect(canonicalDetails({ s: '\b\t\n\f\r\u001f/€𝄞' })).toBe('{"s":"\\b\\t\\n\\f\\r\\u001f/€𝄞"}');
    expect(() => canonicalDetails({ s: '\ud800' })).toThrow(CanonicalEncodingError);
    expect(() => canonicalDetails({ s: 'a\udc00' })).toThrow(CanonicalEncodingError);
    let deep: Record<string, unknown> = {};
    for (let depth = 0; depth < 10; depth += 1) deep = { d: deep };
    expect(() => canonicalDetails(deep)).toThrow(/nested/);
    expect(() => canonicalDetails({ big: 'x'.repeat(9000) })).toThrow(/exceed/);
    expect(() => canonicalDetails({ when: new Date(0) })).toThrow(CanonicalEncodingError);
    expect(() => canonicalDetails({ f: () => 1 } as Record<string, unknown>)).toThrow(CanonicalEncodingError);
  });

  it('emits members in the documented order, every member present', () => {
    const { entries, lines } = buildChain(3);
    for (const [index, line] of lines.entries()) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(parsed)).toEqual([...AUDIT_ENTRY_KEYS]);
      expect(auditEntrySchema.parse(parsed)).toEqual(entries[index]);
      expect(encodeEntry(entries[index]!)).toBe(line);
    }
    expect(entries[0]?.prev_hash).toBe('0'.repeat(64));
    expect(entries[1]?.prev_hash).toBe(entries[0]?.hash);
    expect(entries.map((entry) => entry.seq)).toEqual([1, 2, 3]);
  });

  it('hashes prefix ‖ line-without-hash with SHA-256, as OpenSSL computes it', () => {
    const built = chainNext(GENESIS_HEAD, fixtureFields(5));
    const withoutHash = built.line.replace(/,"hash":"[0-9a-f]{64}"\}$/, '}');
    expect(withoutHash).not.toBe(built.line);
    const openssl = execFileSync('openssl', ['dgst', '-sha256', '-r'], {
      input: AUDIT_HASH_PREFIX + withoutHash,
    })
      .toString()
      .split(' ')[0];
    expect(built.entry.hash).toBe(openssl);
  });
});
