/**
 * C2SP tlog-tiles coordinates (https://c2sp.org/tlog-tiles): tiles of height 8, so a tile at
 * level L holds up to 256 consecutive hashes of tree level 8·L; entry bundles hold up to 256
 * consecutive log entries. Paths:
 *
 * - `tile/<L>/<N>` (full, 256 hashes) and `tile/<L>/<N>.p/<W>` (partial, W of 1…255);
 * - `tile/entries/<N>` and `tile/entries/<N>.p/<W>`.
 *
 * `<N>` is decimal in groups of three digits, zero-padded, every group but the last prefixed
 * with `x` (1234067 → `x001/x234/067`), so directories stay small. Parsing accepts exactly one
 * spelling per tile (no leading zero groups, no `.p/256`, no `.p/0`).
 */
import { TreeRangeError } from './merkle-tree.ts';

/** Tile height: every tile spans 8 tree levels (256 hashes wide). */
export const TILE_HEIGHT = 8;
/** Hashes (or entries) in a full tile. */
export const TILE_WIDTH = 2 ** TILE_HEIGHT;
/** The deepest tile level a tree of 2^53 leaves can have. */
export const MAX_TILE_LEVEL = 6;

/** A tile: `level` null for an entry bundle; `width` 1…256. */
export interface TileId {
  level: number | null;
  index: number;
  width: number;
}

/** The N part of a tile path. */
export function formatTileIndex(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0)
    throw new TreeRangeError('tile index must be an integer ≥ 0');
  const digits = String(index);
  const padded = digits.padStart(Math.ceil(digits.length / 3) * 3, '0');
  const groups = padded.match(/\d{3}/g) ?? ['000'];
  return groups.map((group, position) => (position < groups.length - 1 ? `x${group}` : group)).join('/');
}

/** A tile's path relative to the tlog root (`tile/…`). */
export function formatTilePath(tile: TileId): string {
  if (!Number.isInteger(tile.width) || tile.width < 1 || tile.width > TILE_WIDTH)
    throw new TreeRangeError('tile width must be 1…256');
  const level = tile.level === null ? 'entries' : String(tile.level);
  const suffix = tile.width === TILE_WIDTH ? '' : `.p/${tile.width}`;
  return `tile/${level}/${formatTileIndex(tile.index)}${suffix}`;
}

const TILE_PATH = /^tile\/(entries|0|[1-9]\d?)\/((?:x\d{3}\/)*)(\d{3})(?:\.p\/([1-9]\d{0,2}))?$/;

/** Parses a tile path (`tile/…`); undefined for anything that is not one canonical tile path. */
export function parseTilePath(path: string): TileId | undefined {
  const match = TILE_PATH.exec(path);
  if (!match) return undefined;
  const [, levelText = '', prefixes = '', last = '', widthText] = match;
  const level = levelText === 'entries' ? null : Number(levelText);
  if (level !== null && level > MAX_TILE_LEVEL) return undefined;
  const groups = [...prefixes.matchAll(/x(\d{3})\//g)].map((group) => group[1] ?? '');
  // One spelling per index: the first group of a multi-group index is not 000.
  if (groups.length > 0 && groups[0] === '000') return undefined;
  if (groups.length > 5) return undefined;
  const index = Number([...groups, last].join(''));
  if (!Number.isSafeInteger(index)) return undefined;
  if (widthText === undefined) return { level, index, width: TILE_WIDTH };
  const width = Number(widthText);
  // A partial tile is 1…255 wide: 256 is spelled as the full tile.
  return width < TILE_WIDTH ? { level, index, width } : undefined;
}

/** How many hashes of tile level `level` (tree level 8·level) a tree of `size` leaves has. */
export function hashesAtTileLevel(size: number, level: number): number {
  return Math.floor(size / TILE_WIDTH ** level);
}

/**
 * Whether the tree of `size` leaves has all of `tile`: its first `width` hashes (or entries)
 * exist. Stored hashes never change, so a partial tile of an older tree size stays valid after
 * the tile has grown (a client reading an older checkpoint asks for it).
 */
export function tileInTree(tile: TileId, size: number): boolean {
  const available = tile.level === null ? size : hashesAtTileLevel(size, tile.level);
  return available - tile.index * TILE_WIDTH >= tile.width;
}

/** C2SP entry bundle: each entry as a big-endian uint16 length, then its bytes. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    if (entry.length > 0xffff) throw new RangeError('an entry bundle holds entries of at most 65535 bytes');
    const length = Buffer.alloc(2);
    length.writeUInt16BE(entry.length);
    parts.push(length, Buffer.from(entry));
  }
  return Buffer.concat(parts);
}

/** Splits an entry bundle; throws on a truncated one. */
export function decodeEntryBundle(bundle: Uint8Array): Buffer[] {
  const data = Buffer.from(bundle);
  const out: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    if (at + 2 > data.length) throw new RangeError('truncated entry bundle');
    const length = data.readUInt16BE(at);
    if (at + 2 + length > data.length) throw new RangeError('truncated entry bundle');
    out.push(data.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return out;
}
