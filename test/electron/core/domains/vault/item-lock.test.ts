/**
 * The vault item lock (electron/core/domains/vault/item-lock.ts) on a real folder: a
 * second writer of the same item waits its bound and then says an unlock is in progress;
 * another item is not held up; a lock left by a dead holder (not touched for STALE_MS)
 * is taken over; the lock is released when the work throws.
 */
import fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STALE_MS, withItemLock } from '../../../../../electron/core/domains/vault/item-lock.ts';

const ID = 'res_0123456789abcdef01234567';
let home = '';
beforeEach(async () => {
  home = await fs.mkdtemp(path.join(tmpdir(), 'item-lock-'));
});
afterEach(async () => fs.rm(home, { recursive: true, force: true }));

describe('vault item lock', () => {
  it('a second writer of the same item waits its bound, then fails naming the item; another item runs', async () => {
    let release: () => void = () => undefined;
    const holding = new Promise<void>((resolve) => (release = resolve));
    const first = withItemLock({ home, keys: [ID, 'model'], label: 'model' }, () => holding);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const started = Date.now();
    await expect(
      withItemLock({ home, keys: ['model'], label: 'model', waitMs: 600 }, async () => 'ran'),
    ).rejects.toThrow('An unlock of model is in progress');
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(500);
    expect(waited).toBeLessThan(5_000);

    await expect(
      withItemLock({ home, keys: ['res_ffffffffffffffffffffffff'], label: 'other' }, async () => 'ran'),
    ).resolves.toBe('ran');

    release();
    await first;
    await expect(withItemLock({ home, keys: [ID], label: 'model' }, async () => 'after')).resolves.toBe(
      'after',
    );
  });

  it('waits for a holder that finishes within the bound', async () => {
    const first = withItemLock(
      { home, keys: [ID], label: 'model' },
      () => new Promise((r) => setTimeout(r, 400)),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(
      withItemLock({ home, keys: [ID], label: 'model', waitMs: 3_000 }, async () => 'second'),
    ).resolves.toBe('second');
    await first;
  });

  it('releases when the work throws, and takes over a lock no live holder touches', async () => {
    await expect(
      withItemLock({ home, keys: [ID], label: 'model' }, async () => {
        throw new Error('download cut');
      }),
    ).rejects.toThrow('download cut');
    await expect(withItemLock({ home, keys: [ID], label: 'model', waitMs: 0 }, async () => 1)).resolves.toBe(
      1,
    );

    // What a SIGKILLed holder leaves: the lock folder, no longer touched.
    const stale = path.join(home, 'vault', 'locks', `item-${ID}.lock`);
    await fs.mkdir(stale, { recursive: true });
    const old = new Date(Date.now() - STALE_MS - 2_000);
    await fs.utimes(stale, old, old);
    await expect(withItemLock({ home, keys: [ID], label: 'model', waitMs: 0 }, async () => 2)).resolves.toBe(
      2,
    );
  });
});
