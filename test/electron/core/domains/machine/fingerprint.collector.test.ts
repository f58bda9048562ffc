import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COLLECTION_BUDGET_MS,
  collectFingerprint,
  getFingerprint,
} from '../../../../../electron/core/domains/machine/fingerprint.collector.ts';
import { FingerprintOverrideError } from '../../../../../electron/core/domains/machine/fingerprint-override.ts';
import { normaliseHardware } from '../../../../../electron/core/domains/machine/fingerprint.normalise.ts';
import type { SourceCollectors } from '../../../../../electron/core/domains/machine/hardware-sources.ts';
import { hardwareHash } from '../../../../../shared/node/crypto/hardware-hash.ts';
import { loadFixture } from './hardware-fixtures.ts';

const salt = Buffer.alloc(32, 1);
const noOverride = { env: {} };
// These check values, not timing: generous timeouts so a loaded machine does not drop a component.
const patient = { env: {}, sourceTimeoutMs: 10_000, budgetMs: 10_000 };

/** Collectors that answer at once with a recorded machine's outputs. */
function recorded(name: 'desktop-nvidia' | 'laptop'): SourceCollectors {
  const { sources } = loadFixture(name);
  const answer =
    <T>(value: T | undefined) =>
    async () => {
      if (value === undefined) throw new Error('not recorded');
      return value;
    };
  return {
    cpu: answer(sources.cpu),
    graphics: answer(sources.graphics),
    mem: answer(sources.mem),
    diskLayout: answer(sources.diskLayout),
    blockDevices: answer(sources.blockDevices),
    system: answer(sources.system),
    baseboard: answer(sources.baseboard),
    uuid: answer(sources.uuid),
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fc-collector-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('collection on this machine', () => {
  it('is stable: 20 fresh collections give the same components and hw_hash', async () => {
    const first = await collectFingerprint(patient);
    expect(first.components.cpu).toBeTruthy();
    expect(first.missing.filter((entry) => entry.failed)).toEqual([]);
    const expected = hardwareHash(first.components, salt).toString('hex');
    for (let run = 1; run < 20; run++) {
      const next = await collectFingerprint(patient);
      expect(next.components).toEqual(first.components);
      expect(hardwareHash(next.components, salt).toString('hex')).toBe(expected);
    }
  });

  it('runs once per process: every caller shares one cached promise', async () => {
    const a = getFingerprint(patient);
    const b = getFingerprint(noOverride);
    expect(b).toBe(a);
    expect((await a).components).toEqual((await collectFingerprint(patient)).components);
  });
});

describe('failing and hanging collectors', () => {
  it('a collector that never returns is recorded as absent and the answer comes within the budget', async () => {
    const started = performance.now();
    const fingerprint = await collectFingerprint({
      ...noOverride,
      sources: { ...recorded('desktop-nvidia'), graphics: () => new Promise(() => undefined) },
      sourceTimeoutMs: 300,
    });
    const elapsed = performance.now() - started;
    // Not a performance assertion: it proves the hang was cut off (the collector never settles).
    expect(elapsed).toBeLessThan(COLLECTION_BUDGET_MS);
    expect(fingerprint.components.gpu).toBeUndefined();
    expect(fingerprint.missing).toContainEqual({
      name: 'gpu',
      reason: 'graphics: timed out after 300 ms',
      failed: true,
    });
    expect(fingerprint.components.cpu).toBe(normaliseHardware(loadFixture('desktop-nvidia')).components.cpu);
  });

  it('every real collector hanging still answers within the default budget', async () => {
    const never = () => new Promise<never>(() => undefined);
    const started = performance.now();
    const fingerprint = await collectFingerprint({
      ...noOverride,
      sources: {
        cpu: never,
        graphics: never,
        mem: never,
        diskLayout: never,
        blockDevices: never,
        system: never,
        baseboard: never,
        uuid: never,
      },
    });
    expect(performance.now() - started).toBeLessThan(COLLECTION_BUDGET_MS + 1000);
    expect(fingerprint.components).toEqual({});
    expect(fingerprint.missing).toHaveLength(7);
  });

  it('a collector that throws (or throws synchronously) makes its components absent with the reason', async () => {
    const fingerprint = await collectFingerprint({
      ...noOverride,
      sources: {
        ...recorded('laptop'),
        baseboard: async () => {
          throw new Error('dmidecode: permission denied');
        },
        uuid: () => {
          throw new Error('boom');
        },
      },
    });
    expect(fingerprint.missing).toContainEqual({
      name: 'baseboard_serial',
      reason: 'baseboard: dmidecode: permission denied',
      failed: true,
    });
    expect(fingerprint.missing).toContainEqual({ name: 'machine_id', reason: 'uuid: boom', failed: true });
    // system_uuid still comes from system() when uuid() failed.
    expect(fingerprint.components.system_uuid).toBe('1e5e2a4c-2b6f-11b2-a85c-d4c0af3f1234');
  });
});

describe('FACTORY_FINGERPRINT_TIMEOUT_MS', () => {
  const slowGpu = (): SourceCollectors => ({
    ...recorded('laptop'),
    graphics: async () => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      return {
        controllers: [{ vendor: 'x', model: 'Slow GPU', bus: 'PCI', vram: 1, vramDynamic: false }],
        displays: [],
      };
    },
  });

  it('raises the per-source timeout', async () => {
    const short = await collectFingerprint({
      env: { FACTORY_FINGERPRINT_TIMEOUT_MS: '100' },
      sources: slowGpu(),
    });
    expect(short.missing).toContainEqual({
      name: 'gpu',
      reason: 'graphics: timed out after 100 ms',
      failed: true,
    });
    const long = await collectFingerprint({
      env: { FACTORY_FINGERPRINT_TIMEOUT_MS: '5000' },
      sources: slowGpu(),
    });
    expect(long.components.gpu).toBe('slow gpu');
  });

  it('an unusable value warns and keeps the default', async () => {
    const warnings: string[] = [];
    const fingerprint = await collectFingerprint({
      env: { FACTORY_FINGERPRINT_TIMEOUT_MS: 'soon' },
      warn: (message) => warnings.push(message),
      sources: recorded('laptop'),
    });
    expect(warnings.join('\n')).toMatch(/FACTORY_FINGERPRINT_TIMEOUT_MS=soon/);
    expect(fingerprint.components.cpu).toBe('intel core i7-1165g7 / 8 cores');
  });
});

describe('override file (FACTORY_FINGERPRINT_FILE)', () => {
  it('replaces collection, normalises the values, and warns', async () => {
    const path = join(dir, 'override.json');
    await writeFile(
      path,
      JSON.stringify({
        components: { cpu: '  AMD  Ryzen 5 ', gpu: 'RTX B, rtx a', machine_id: 'ABCDEF0123', disk: null },
      }),
    );
    const warnings: string[] = [];
    const fingerprint = await collectFingerprint({
      env: { FACTORY_FINGERPRINT_FILE: path },
      warn: (message) => warnings.push(message),
      sources: recorded('laptop'),
    });
    expect(fingerprint.components).toEqual({
      cpu: 'amd ryzen 5',
      gpu: 'rtx a, rtx b',
      machine_id: 'abcdef0123',
    });
    expect(fingerprint.override).toEqual({ path });
    expect(fingerprint.missing.map((entry) => entry.name)).toEqual([
      'memory',
      'disk',
      'system_uuid',
      'baseboard_serial',
    ]);
    expect(warnings.join('\n')).toContain(path);
  });

  it('is refused in a packaged app: the hardware is read and a warning says so', async () => {
    const path = join(dir, 'override-packaged.json');
    await writeFile(path, JSON.stringify({ components: { cpu: 'fake' } }));
    const warnings: string[] = [];
    const fingerprint = await collectFingerprint({
      env: { FACTORY_FINGERPRINT_FILE: path },
      isPackaged: true,
      warn: (message) => warnings.push(message),
      sources: recorded('laptop'),
    });
    expect(fingerprint.override).toBeUndefined();
    expect(fingerprint.components).toEqual(normaliseHardware(loadFixture('laptop')).components);
    expect(warnings.join('\n')).toMatch(/ignored/);
    expect(fingerprint.warnings).toEqual(warnings);
  });

  it.each([
    ['not JSON', '{"components": {', /not valid JSON/],
    ['unknown component', '{"components": {"cpu": "x", "mac": "y"}}', /mac|unrecognized/i],
    ['wrong type', '{"components": {"cpu": 5}}', /components\.cpu/],
    ['no wrapper', '{"cpu": "x"}', /components/],
  ])('a malformed file (%s) is a clear error, not a silent fall-back', async (_label, text, message) => {
    const path = join(dir, 'bad.json');
    await writeFile(path, text);
    const attempt = collectFingerprint({ env: { FACTORY_FINGERPRINT_FILE: path }, warn: () => undefined });
    await expect(attempt).rejects.toBeInstanceOf(FingerprintOverrideError);
    await expect(attempt).rejects.toThrow(message);
  });

  it('a missing file is a clear error', async () => {
    await expect(
      collectFingerprint({ env: { FACTORY_FINGERPRINT_FILE: join(dir, 'nope.json') } }),
    ).rejects.toThrow(/cannot read .*ENOENT/);
  });
});
