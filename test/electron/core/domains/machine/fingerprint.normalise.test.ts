import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMPONENT_NAMES } from '../../../../../electron/core/domains/machine/components.ts';
import {
  foldText,
  identifier,
  normaliseHardware,
} from '../../../../../electron/core/domains/machine/fingerprint.normalise.ts';
import type { RawHardware } from '../../../../../electron/core/domains/machine/hardware-sources.ts';
import { hardwareHash } from '../../../../../shared/node/crypto/hardware-hash.ts';
import { loadFixture } from './hardware-fixtures.ts';

const salt = Buffer.alloc(32, 7);

function reversed<T>(list: T[] | undefined): T[] | undefined {
  return list ? [...list].reverse() : list;
}

describe('normaliseHardware on recorded fixtures', () => {
  it('desktop with an NVIDIA GPU: every component, boot disk chosen, placeholders dropped', () => {
    const { components, missing } = normaliseHardware(loadFixture('desktop-nvidia'));
    expect(components).toEqual({
      cpu: 'amd ryzen 9 7950x 16-core processor / 32 cores',
      gpu: 'geforce rtx 4070, raphael',
      memory: '63 gib',
      // The root partition nvme0n1p2 lives on nvme0n1, not on the SATA disk listed first.
      disk: 'samsung ssd 980 pro 2tb | s6b0nl0w123456a',
      system_uuid: '7c1a4e2b-93f0-11ed-8f3a-2cf05d4e6a11',
      baseboard_serial: '07d7511_m71e123456',
      machine_id: '9f3c2e7a1b6d4e5f8a9b0c1d2e3f4a5b',
    });
    expect(missing).toEqual([]);
  });

  it('laptop on Windows: ™/(R) marks removed, the physical drive used when C: does not name it', () => {
    const { components, missing } = normaliseHardware(loadFixture('laptop'));
    expect(components).toEqual({
      cpu: 'intel core i7-1165g7 / 8 cores',
      gpu: 'intel iris xe graphics',
      memory: '16 gib',
      disk: 'samsung mzvlb512hbjq-000l7 | 0025_3881_9142_8c74.',
      system_uuid: '1e5e2a4c-2b6f-11b2-a85c-d4c0af3f1234',
      baseboard_serial: 'l1hf12a003x',
      machine_id: 'a3f1c2d4-5b6e-4f70-8a9b-0c1d2e3f4a5b',
    });
    expect(missing).toEqual([]);
  });

  it('Linux VM without serials: emulated GPU and serial-less disk are absent with reasons', () => {
    const { components, missing } = normaliseHardware(loadFixture('linux-vm'));
    expect(components).toEqual({
      cpu: 'intel xeon processor (icelake) / 4 cores',
      memory: '8 gib',
      machine_id: '5e8b2c3d4f6a4b7c8d9e0f1a2b3c4d5e',
    });
    expect(missing.map((entry) => entry.name)).toEqual(['gpu', 'disk', 'system_uuid', 'baseboard_serial']);
    // The DVD drive has a serial but is removable: it must not stand in for the disk.
    expect(missing.find((entry) => entry.name === 'disk')?.reason).toMatch(/serial/);
  });

  it('container: clock suffix stripped, failed source reported as the reason', () => {
    const { components, missing } = normaliseHardware(loadFixture('container'));
    expect(components).toEqual({ cpu: 'intel xeon platinum 8375c / 4 cores', memory: '15 gib' });
    const reasons = Object.fromEntries(missing.map((entry) => [entry.name, entry.reason]));
    expect(reasons['gpu']).toBe('graphics: timed out after 1500 ms');
    expect(reasons['machine_id']).toMatch(/machine id/);
    expect(reasons['system_uuid']).toMatch(/UUID/);
  });
});

describe('order independence', () => {
  it.each(['desktop-nvidia', 'laptop', 'linux-vm', 'container'] as const)(
    '%s: reversed device lists give the same components and hash',
    (name) => {
      const raw = loadFixture(name);
      const { graphics, diskLayout, blockDevices } = raw.sources;
      const shuffled: RawHardware = {
        failures: raw.failures,
        sources: {
          ...raw.sources,
          graphics: graphics && { ...graphics, controllers: reversed(graphics.controllers) ?? [] },
          diskLayout: reversed(diskLayout),
          blockDevices: reversed(blockDevices),
        },
      };
      const a = normaliseHardware(raw).components;
      const b = normaliseHardware(shuffled).components;
      expect(b).toEqual(a);
      expect(hardwareHash(b, salt).equals(hardwareHash(a, salt))).toBe(true);
    },
  );

  it('two GPUs in either order give one sorted list', () => {
    const raw = loadFixture('desktop-nvidia');
    const controllers = raw.sources.graphics?.controllers ?? [];
    expect(controllers.length).toBe(2);
    const swap = (list: typeof controllers) =>
      normaliseHardware({
        ...raw,
        sources: { ...raw.sources, graphics: { controllers: list } },
      });
    expect(swap([...controllers].reverse()).components.gpu).toBe(swap(controllers).components.gpu);
  });
});

describe('disk choice', () => {
  it('root on LVM (no partition names the disk): the first fixed disk by name, whatever the listing order', () => {
    const raw = loadFixture('desktop-nvidia');
    const blocks = (raw.sources.blockDevices ?? []).map((block) =>
      block.mount === '/' ? { ...block, name: 'ubuntu--vg-root', type: 'lvm' } : block,
    );
    const lvm = (layout: typeof raw.sources.diskLayout, blockDevices: typeof blocks) =>
      normaliseHardware({ ...raw, sources: { ...raw.sources, diskLayout: layout, blockDevices } }).components
        .disk;
    const forward = lvm(raw.sources.diskLayout, blocks);
    expect(forward).toBe('samsung ssd 980 pro 2tb | s6b0nl0w123456a');
    expect(lvm(reversed(raw.sources.diskLayout), reversed(blocks) ?? [])).toBe(forward);
  });

  it('a USB disk never stands in for the machine disk', () => {
    const raw = loadFixture('linux-vm');
    const usb = {
      ...raw.sources.diskLayout![0]!,
      device: '/dev/sdb',
      name: 'SanDisk Ultra',
      serialNum: '4C530001230515117193',
      interfaceType: 'USB',
    };
    const components = normaliseHardware({
      ...raw,
      sources: { ...raw.sources, diskLayout: [usb, ...raw.sources.diskLayout!] },
    }).components;
    expect(components.disk).toBeUndefined();
  });
});

describe('placeholders and folding', () => {
  it.each([
    'To Be Filled By O.E.M.',
    'Default string',
    '  None ',
    '00000000-0000-0000-0000-000000000000',
    'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
    '03000200-0400-0500-0006-000700080009',
    'System Serial Number',
    '0',
    '',
  ])('drops %j', (value) => {
    expect(identifier(value)).toBe('');
  });

  it('keeps real identifiers, folded', () => {
    expect(identifier('  PF2ABCDE\t')).toBe('pf2abcde');
    expect(foldText('Intel(R)  Core(TM)\u00a0i7')).toBe('intel core i7');
  });

  it('uppercase, spacing and placeholder serials do not change the components', () => {
    const raw = loadFixture('laptop');
    const noisy: RawHardware = {
      failures: {},
      sources: {
        ...raw.sources,
        baseboard: raw.sources.baseboard && {
          ...raw.sources.baseboard,
          serial: `  ${raw.sources.baseboard.serial.toUpperCase()}  `,
        },
        cpu: raw.sources.cpu && {
          ...raw.sources.cpu,
          brand: `  ${raw.sources.cpu.brand.replace(' ', '   ')} `,
        },
      },
    };
    expect(normaliseHardware(noisy).components).toEqual(normaliseHardware(raw).components);
  });

  it('a vendor repeated in the brand string is said once', () => {
    const raw = loadFixture('laptop');
    const repeated: RawHardware = {
      failures: {},
      sources: {
        ...raw.sources,
        cpu: raw.sources.cpu && { ...raw.sources.cpu, brand: 'Intel(R) Core(TM) i7-1165G7 CPU @ 2.80GHz' },
      },
    };
    expect(normaliseHardware(repeated).components.cpu).toBe('intel core i7-1165g7 / 8 cores');
  });

  it('never throws on arbitrary garbage and reports every component exactly once', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(
            'cpu',
            'graphics',
            'mem',
            'diskLayout',
            'blockDevices',
            'system',
            'baseboard',
            'uuid',
          ),
          fc.anything(),
        ),
        (sources) => {
          const { components, missing } = normaliseHardware({
            sources: sources as RawHardware['sources'],
            failures: {},
          });
          const names = [...Object.keys(components), ...missing.map((entry) => entry.name)].sort();
          expect(names).toEqual([...COMPONENT_NAMES].sort());
        },
      ),
      { numRuns: 300 },
    );
  });
});
