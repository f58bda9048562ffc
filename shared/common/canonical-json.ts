/**
 * Canonical JSON for signatures and hash chains (manifests, checkpoints, leases,
 * audit entries), after RFC 8785 (JCS): object members sorted by UTF-16 code
 * units, no whitespace, numbers in ECMAScript's shortest round-trip form, strings
 * escaped as JSON.stringify does. Two parties that hold the same data produce the
 * same text, so a signature over it verifies anywhere.
 *
 * Stricter than JSON.stringify where silence would make two values sign alike or
 * a signature unverifiable: non-finite numbers, bigint, functions, symbols,
 * lone surrogates, non-plain objects (Date, Map, class instances) and cycles are
 * rejected with a TypeError. Object members whose value is `undefined` are
 * omitted (as on the wire); `undefined` elsewhere is rejected.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, new Set<object>());
}

function encode(value: unknown, ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return encodeString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonicalJson: numbers must be finite');
      // ECMAScript Number-to-String is exactly JCS's number form; -0 becomes "0".
      return String(value);
    case 'object':
      if (value === null) return 'null';
      return encodeContainer(value, ancestors);
    default:
      throw new TypeError(`canonicalJson: ${typeof value} is not JSON`);
  }
}

function encodeString(value: string): string {
  if (!value.isWellFormed()) throw new TypeError('canonicalJson: string has a lone surrogate');
  return JSON.stringify(value);
}

function encodeContainer(value: object, ancestors: Set<object>): string {
  if (ancestors.has(value)) throw new TypeError('canonicalJson: cyclic value');
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      const items: string[] = [];
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (item === undefined) throw new TypeError('canonicalJson: undefined in an array');
        items.push(encode(item, ancestors));
      }
      return `[${items.join(',')}]`;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError('canonicalJson: only plain objects and arrays are JSON');
    }
    const record = value as Record<string, unknown>;
    // Sort by UTF-16 code units (JCS §3.2.3), never by locale.
    const keys = Object.keys(record).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const members: string[] = [];
    for (const key of keys) {
      const member = record[key];
      if (member === undefined) continue;
      members.push(`${encodeString(key)}:${encode(member, ancestors)}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(value);
  }
}
