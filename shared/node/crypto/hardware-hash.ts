import { createHash } from 'node:crypto';
import { lengthPrefixed, strictUtf8 } from './encoding.ts';

/** Domain prefix of the hardware hash (docs/SECURITY.md §Key hierarchy); a new encoding gets a new version. */
export const HARDWARE_HASH_DOMAIN = 'FactoryConsole/hw/v1';

/** Canonical bytes of the component record: count, then (name, value) pairs sorted by name, each length-prefixed. */
export function canonicalComponents(components: Readonly<Record<string, string>>): Buffer {
  // Sort by UTF-16 code units, never by locale: the order must be the same on every machine.
  const names = Object.keys(components).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const parts: Buffer[] = [Buffer.alloc(4)];
  parts[0]!.writeUInt32BE(names.length, 0);
  for (const name of names) {
    const value = components[name];
    if (typeof value !== 'string') throw new TypeError(`hardware component ${name} must be a string`);
    parts.push(
      lengthPrefixed(strictUtf8(name, 'component name')),
      lengthPrefixed(strictUtf8(value, 'component value')),
    );
  }
  return Buffer.concat(parts);
}

/**
 * The machine's hardware hash (48 bytes):
 * `SHA-384("FactoryConsole/hw/v1" ‖ canonical(components) ‖ installSalt)`.
 *
 * `components` holds only the components that were found (already normalised by
 * the caller: trimmed, case-folded, lists sorted); an absent component is simply
 * not in the record, which hashes differently from an empty value. The encoding is
 * length-prefixed, so no two different records hash the same bytes.
 *
 * Secret material: the hash identifies the machine; do not log it.
 */
export function hardwareHash(components: Readonly<Record<string, string>>, installSalt: Uint8Array): Buffer {
  if (installSalt.length < 16) throw new RangeError('installSalt must be at least 16 random bytes');
  return createHash('sha384')
    .update(HARDWARE_HASH_DOMAIN)
    .update(canonicalComponents(components))
    .update(lengthPrefixed(installSalt))
    .digest();
}
