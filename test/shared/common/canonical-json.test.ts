import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../shared/common/canonical-json.ts';

describe('canonicalJson', () => {
  it('sorts members by UTF-16 code units at every depth, without whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: true }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":true,"z":null}]},"b":1}',
    );
    // Code-unit order, not locale order: "B" < "a" < "é"; U+1F600 (a surrogate pair) sorts before U+FFFD.
    expect(canonicalJson({ é: 1, a: 2, B: 3 })).toBe('{"B":3,"a":2,"é":1}');
    expect(canonicalJson({ '\ufffd': 1, '\u{1f600}': 2 })).toBe('{"\u{1f600}":2,"\ufffd":1}');
  });

  it('writes numbers in the shortest round-trip form (RFC 8785 §3.2.2.3)', () => {
    expect(canonicalJson([0, -0, 1e21, 1e-7, 0.1, 123456789012345680000, -1.5, 2 ** 53])).toBe(
      '[0,0,1e+21,1e-7,0.1,123456789012345680000,-1.5,9007199254740992]',
    );
  });

  it('escapes strings as JSON does', () => {
    expect(canonicalJson('a"b\\c\n\u0001\u2028')).toBe('"a\\"b\\\\c\\n\\u0001\u2028"');
  });

  it('omits undefined members and rejects what is not JSON', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
    for (const bad of [
      undefined,
      NaN,
      Infinity,
      1n,
      () => 1,
      Symbol('x'),
      new Date(0),
      new Map(),
      [undefined],
      '\ud800',
    ]) {
      expect(() => canonicalJson(bad), String(typeof bad)).toThrow(TypeError);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(TypeError);
    const shared = { x: 1 };
    expect(canonicalJson([shared, shared])).toBe('[{"x":1},{"x":1}]');
  });

  it('property: parses back to the same value, and reordering keys does not change the text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        const reordered: unknown = JSON.parse(JSON.stringify(value), (_key, item: unknown) =>
          item !== null && typeof item === 'object' && !Array.isArray(item)
            ? Object.fromEntries(Object.entries(item).reverse())
            : item,
        );
        expect(canonicalJson(reordered)).toBe(text);
      }),
      { numRuns: 200 },
    );
  });
});
