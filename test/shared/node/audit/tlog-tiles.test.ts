import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeEntryBundle,
  encodeEntryBundle,
  formatTileIndex,
  formatTilePath,
  parseTilePath,
  tileInTree,
  type TileId,
} from '../../../../shared/node/audit/tlog-tiles.ts';

const vectors = JSON.parse(
  readFileSync(new URL('../../../fixtures/rfc6962/vectors.json', import.meta.url), 'utf8'),
) as { tile_paths: (TileId & { path: string })[]; bad_tile_paths: string[] };

describe('C2SP tlog-tiles paths', () => {
  it('formats and parses the published tile paths', () => {
    for (const { path, ...tile } of vectors.tile_paths) {
      expect(formatTilePath(tile)).toBe(path);
      expect(parseTilePath(path)).toEqual(tile);
    }
    expect(formatTileIndex(0)).toBe('000');
    expect(formatTileIndex(1000)).toBe('x001/000');
  });

  it('refuses every non-canonical or malformed tile path', () => {
    for (const path of vectors.bad_tile_paths) expect(parseTilePath(path), path).toBeUndefined();
  });

  it('round-trips every index on a sample of the whole range', () => {
    for (const index of [0, 1, 999, 1000, 999_999, 1_000_000, 123_456_789_012, Number.MAX_SAFE_INTEGER]) {
      const tile = { level: 2, index, width: 17 };
      expect(parseTilePath(formatTilePath(tile))).toEqual(tile);
    }
  });

  it('knows which tiles a tree of a given size has', () => {
    expect(tileInTree({ level: 0, index: 0, width: 256 }, 255)).toBe(false);
    expect(tileInTree({ level: 0, index: 0, width: 255 }, 255)).toBe(true);
    expect(tileInTree({ level: 0, index: 0, width: 256 }, 256)).toBe(true);
    expect(tileInTree({ level: 0, index: 0, width: 7 }, 600)).toBe(true);
    expect(tileInTree({ level: 1, index: 0, width: 1 }, 255)).toBe(false);
    expect(tileInTree({ level: 1, index: 0, width: 2 }, 600)).toBe(true);
    expect(tileInTree({ level: 1, index: 0, width: 3 }, 600)).toBe(false);
    expect(tileInTree({ level: null, index: 1, width: 88 }, 344)).toBe(true);
    expect(tileInTree({ level: null, index: 1, width: 89 }, 344)).toBe(false);
  });

  it('encodes entry bundles with big-endian uint16 lengths and refuses a truncated one', () => {
    const bundle = encodeEntryBundle([Buffer.from('ab'), Buffer.alloc(0), Buffer.from('xyz')]);
    expect(bundle.toString('hex')).toBe('000261620000000378797a');
    expect(decodeEntryBundle(bundle).map((entry) => entry.toString())).toEqual(['ab', '', 'xyz']);
    expect(() => decodeEntryBundle(bundle.subarray(0, -1))).toThrow(RangeError);
  });
});
