/**
 * The fast Linux readers (linux-hardware.ts) against systeminformation on this machine,
 * field by field and as a whole fingerprint, and their parsing on a fake file tree.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import si from 'systeminformation';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectFingerprint } from '../../../../../electron/core/domains/machine/fingerprint.collector.ts';
import {
  FINGERPRINT_FIELDS,
  SOURCE_NAMES,
  hardwareSources,
  type SourceCollectors,
} from '../../../../../electron/core/domains/machine/hardware-sources.ts';
import { getValue, linuxFastReaders } from '../../../../../electron/core/domains/machine/linux-hardware.ts';

const fastPlatform = process.platform === 'linux' && process.arch === 'x64';
// Values, not timing: generous timeouts so a loaded machine does not drop a source.
const patient = { env: {}, sourceTimeoutMs: 20_000, budgetMs: 20_000 };

/** systeminformation's answer for one source, as its package index gives it. */
async function fromSysteminformation(name: (typeof SOURCE_NAMES)[number]): Promise<unknown> {
  return (si[name] as () => Promise<unknown>)();
}

/** The fields the fingerprint reads of a source's value (of each entry, for the disk lists). */
function fingerprintFields(name: keyof typeof FINGERPRINT_FIELDS, value: unknown): unknown {
  const pick = (record: Record<string, unknown>) =>
    Object.fromEntries(FINGERPRINT_FIELDS[name].map((field) => [field, record[field]]));
  return Array.isArray(value)
    ? value.map((entry) => pick(entry as Record<string, unknown>))
    : pick(value as Record<string, unknown>);
}

describe('on this machine', () => {
  it(
    'every fast reader that answers gives the fields systeminformation gives',
    { timeout: 60_000 },
    async () => {
      const readers = linuxFastReaders();
      if (!fastPlatform) {
        expect(readers).toEqual({});
        return;
      }
      // uuid and mem never need systeminformation on Linux x64: the comparison is never empty.
      const answered: string[] = [];
      for (const name of SOURCE_NAMES) {
        const fast = await readers[name]?.();
        if (fast === undefined) continue;
        answered.push(name);
        const reference = await fromSysteminformation(name);
        if (name === 'graphics') {
          // The fast reader answers only when systeminformation finds no controller at all.
          expect({ name, controllers: (fast as { controllers: unknown[] }).controllers }).toEqual({
            name,
            controllers: (reference as { controllers: unknown[] }).controllers,
          });
          continue;
        }
        expect({ name, fields: fingerprintFields(name, fast) }).toEqual({
          name,
          fields: fingerprintFields(name, reference),
        });
      }
      expect(answered).toEqual(expect.arrayContaining(['mem', 'uuid']));
    },
  );

  it(
    'the fingerprint from the fast readers is the one from systeminformation alone',
    { timeout: 60_000 },
    async () => {
      const siOnly = Object.fromEntries(
        SOURCE_NAMES.map((name) => [name, () => fromSysteminformation(name)]),
      ) as unknown as SourceCollectors;
      const fast = await collectFingerprint({ ...patient, sources: hardwareSources() });
      const reference = await collectFingerprint({ ...patient, sources: siOnly });
      expect(fast.components).toEqual(reference.components);
      expect(fast.missing).toEqual(reference.missing);
    },
  );
});

describe('on a fake file tree', () => {
  let root: string;
  let bin: string;
  const put = async (file: string, text: string) => {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  };
  const dmi = 'sys/devices/virtual/dmi/id';
  const intel = 'Intel(R) Core(TM) i7-8550U CPU @ 1.80GHz';
  const readers = (cpus = [{ model: intel }, { model: intel }]) =>
    linuxFastReaders(
      { root, cpus: () => cpus, totalmem: () => 123, searchPath: bin },
      {
        platform: 'linux',
        arch: 'x64',
      },
    );

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'fc-linux-hw-'));
    bin = path.join(root, 'usr-bin');
    await mkdir(bin);
    await put(
      'proc/cpuinfo',
      `processor\t: 0\nmodel name\t: ${intel}\n\nprocessor\t: 1\nmodel name\t: ${intel}\n`,
    );
    await put('proc/meminfo', 'MemTotal:       16303464 kB\nMemFree:         1000 kB\n');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('getValue is systeminformation’s: first line by prefix, tabs ignored, the rest after the first colon', () => {
    expect(getValue(['Model name:   A: B  ', 'model name: C'], 'model name')).toBe('A: B');
    expect(getValue(['Serial\t\t: 00ab', 'serial: x'], 'serial')).toBe('00ab');
    expect(getValue(['no colon here', 'os: x'], 'no colon')).toBe('');
    expect(getValue(['os'], 'os')).toBe('');
  });

  it('cpu: vendor and brand as systeminformation folds them, cores from os.cpus()', () => {
    expect(readers().cpu?.()).toEqual({ manufacturer: 'Intel', brand: 'Core™ i7-8550U', cores: 2 });
    const amd = 'AMD Ryzen 7 5800X 8-Core Processor';
    expect(readers([{ model: `${amd}   ` }]).cpu?.()).toBeUndefined(); // cpuinfo says Intel: unsure
  });

  it('cpu: the processors disagreeing on the model, no model, or readable DMI tables (lscpu’s BIOS model), is unsure', async () => {
    await put('proc/cpuinfo', `model name\t: ${intel}\nmodel name\t: Other\n`);
    expect(readers().cpu?.()).toBeUndefined();
    await put('proc/cpuinfo', 'processor\t: 0\n');
    expect(readers().cpu?.()).toBeUndefined();
    await put('proc/cpuinfo', `model name\t: ${intel}\n`);
    expect(readers().cpu?.()).toBeDefined();
    await put('sys/firmware/dmi/tables/DMI', 'tables');
    expect(readers().cpu?.()).toBeUndefined();
  });

  it('mem: MemTotal in bytes, os.totalmem() without /proc/meminfo', async () => {
    expect(readers().mem?.()).toEqual({ total: 16303464 * 1024 });
    await rm(path.join(root, 'proc/meminfo'));
    expect(readers().mem?.()).toEqual({ total: 123 });
  });

  it('uuid: dbus machine-id before /etc/machine-id, lower-cased; the DMI UUID, else the cpuinfo Serial', async () => {
    await put('etc/machine-id', 'ETC0123\n');
    expect(readers().uuid?.()).toEqual({ os: 'etc0123', hardware: '' });
    await put('var/lib/dbus/machine-id', 'DBUS4567\n');
    await put('sys/class/dmi/id/product_uuid', '4C4C4544-0042-3510-8052-B4C04F4E3732\n');
    expect(readers().uuid?.()).toEqual({ os: 'dbus4567', hardware: '4c4c4544-0042-3510-8052-b4c04f4e3732' });
    await rm(path.join(root, 'sys/class/dmi/id/product_uuid'));
    await put('proc/cpuinfo', 'Hardware\t: BCM2835\nSerial\t\t: 10000000ABCDEF\n');
    expect(readers().uuid?.()).toEqual({ os: 'dbus4567', hardware: '10000000ABCDEF' });
  });

  it('uuid: a dbus machine-id that cat cannot read (a folder) falls through to /etc; an empty one does not', async () => {
    await put('etc/machine-id', 'etc0123\n');
    await mkdir(path.join(root, 'var/lib/dbus/machine-id'), { recursive: true });
    expect(readers().uuid?.()?.os).toBe('etc0123');
    await rm(path.join(root, 'var/lib/dbus/machine-id'), { recursive: true });
    await put('var/lib/dbus/machine-id', '');
    expect(readers().uuid?.()?.os).toBe('');
  });

  it('system: the DMI product UUID lower-cased; empty is unsure only where dmidecode could read the tables', async () => {
    await put(`${dmi}/product_uuid`, '4C4C4544-0042-3510-8052-B4C04F4E3732\n');
    expect(readers().system?.()).toEqual({ uuid: '4c4c4544-0042-3510-8052-b4c04f4e3732' });
    await rm(path.join(root, dmi, 'product_uuid'));
    expect(readers().system?.()).toEqual({ uuid: '' });
    await put('dev/mem', '');
    expect(readers().system?.()).toBeUndefined();
    await put(`${dmi}/product_uuid`, '4c4c4544-0042-3510-8052-b4c04f4e3732\n');
    expect(readers().system?.()).toEqual({ uuid: '4c4c4544-0042-3510-8052-b4c04f4e3732' });
  });

  it('baseboard: the serial trimmed, firmware placeholders dropped; unprintable or empty with tables is unsure', async () => {
    await put(`${dmi}/board_serial`, '  /7X9ABC2/CN1296/  \n');
    expect(readers().baseboard?.()).toEqual({ serial: '/7X9ABC2/CN1296/' });
    await put(`${dmi}/board_serial`, 'Default string\n');
    expect(readers().baseboard?.()).toEqual({ serial: '' });
    await put(`${dmi}/board_serial`, 'AB\u0001CD\n');
    expect(readers().baseboard?.()).toEqual({ serial: 'AB\u0001CD' });
    await put('sys/firmware/dmi/tables/DMI', 'tables');
    expect(readers().baseboard?.()).toBeUndefined(); // dmidecode would print AB.CD
    await put(`${dmi}/board_serial`, '\n');
    expect(readers().baseboard?.()).toBeUndefined(); // dmidecode could print "Not Specified"
    await put(`${dmi}/board_serial`, 'PF2ABCDE\n');
    expect(readers().baseboard?.()).toEqual({ serial: 'PF2ABCDE' });
    await put('proc/cpuinfo', 'Hardware\t: BCM2835\n');
    expect(readers().baseboard?.()).toBeUndefined();
  });

  it('graphics: no controllers without lspci and clinfo; either installed is unsure', async () => {
    expect(readers().graphics?.()).toEqual({ controllers: [] });
    await writeFile(path.join(bin, 'lspci'), '#!/bin/sh\n');
    await chmod(path.join(bin, 'lspci'), 0o755);
    // searchPath is absolute: the tool is looked for under the root, like every other file.
    const underRoot = linuxFastReaders(
      { root: '/', cpus: () => [], totalmem: () => 0, searchPath: bin },
      { platform: 'linux', arch: 'x64' },
    );
    expect(underRoot.graphics?.()).toBeUndefined();
  });

  it('disks: lsblk’s pairs parsed as systeminformation does (escapes, names, order), its JSON filtered to disks', async () => {
    const calls: Array<{ args: readonly string[]; lcAll: string | undefined }> = [];
    const pairs = [
      'NAME="sdb" TYPE="disk" SIZE="512110190592" FSTYPE="" MOUNTPOINT="" UUID="" ROTA="0" RO="0" RM="1" TRAN="usb" SERIAL="0401\\x20USB" LABEL="" MODEL="Flash Disk  " OWNER="root"',
      'NAME="nvme0n1p2" TYPE="part" SIZE="511" FSTYPE="ext4" MOUNTPOINT="/" UUID="u" ROTA="0" RO="0" RM="0" TRAN="nvme" SERIAL="" LABEL="" MODEL="" OWNER="root"',
      'NAME="nvme0n1" TYPE="disk" SIZE="512" FSTYPE="" MOUNTPOINT="" UUID="" ROTA="0" RO="0" RM="0" TRAN="nvme" SERIAL="S4EWNX0R123456" LABEL="" MODEL="Samsung SSD 980" OWNER="root"',
      '',
    ].join('\n');
    const json = JSON.stringify({
      blockdevices: [
        { name: 'loop0', type: 'loop', size: 4096, model: null, path: '/dev/loop0' },
        {
          name: 'nvme0n1',
          type: 'disk',
          size: 512,
          model: 'Samsung SSD 980',
          serial: ' S4EWNX0R123456 ',
          tran: 'nvme',
        },
        { name: 'zram0', type: 'disk', size: 0, model: null },
        {
          name: 'vda',
          type: 'disk',
          size: 8,
          model: null,
          mountpoint: null,
          label: null,
          fstype: null,
          parttype: null,
          path: '/dev/vda',
          'disc-max': 0,
        },
      ],
    });
    const run = async (
      file: string,
      args: readonly string[],
      env: Readonly<Record<string, string | undefined>>,
    ) => {
      expect(file).toBe('lsblk');
      calls.push({ args, lcAll: env['LC_ALL'] });
      return args.includes('-ablJO') ? json : pairs;
    };
    const disks = linuxFastReaders({ root, run }, { platform: 'linux', arch: 'x64' });
    expect(await disks.blockDevices?.()).toEqual([
      {
        name: 'nvme0n1',
        type: 'disk',
        removable: false,
        protocol: 'nvme',
        model: 'Samsung SSD 980',
        serial: 'S4EWNX0R123456',
        mount: '',
      },
      {
        name: 'sdb',
        type: 'disk',
        removable: true,
        protocol: 'usb',
        model: 'Flash Disk',
        serial: '0401 USB',
        mount: '',
      },
      {
        name: 'nvme0n1p2',
        type: 'part',
        removable: false,
        protocol: 'nvme',
        model: '',
        serial: '',
        mount: '/',
      },
    ]);
    expect(await disks.diskLayout?.()).toEqual([
      { device: '/dev/nvme0n1', name: 'Samsung SSD 980', serialNum: 'S4EWNX0R123456', interfaceType: 'PCIe' },
    ]);
    expect(calls.map((call) => [call.args[0], call.lcAll])).toEqual([
      ['-bPo', process.env['LC_ALL']],
      ['-ablJO', 'C'],
    ]);
  });

  it('disks: lsblk failing, or printing no JSON, is unsure (systeminformation has fallbacks for both)', async () => {
    const failing = linuxFastReaders(
      { root, run: () => Promise.reject(new Error('lsblk: not found')) },
      { platform: 'linux', arch: 'x64' },
    );
    expect(await failing.blockDevices?.()).toBeUndefined();
    expect(await failing.diskLayout?.()).toBeUndefined();
    const old = linuxFastReaders(
      { root, run: async () => 'NAME="sda" TYPE="disk"' },
      { platform: 'linux', arch: 'x64' },
    );
    expect(await old.diskLayout?.()).toBeUndefined();
  });

  it('answers nothing off Linux x64, and the collector then asks systeminformation for every source', () => {
    expect(linuxFastReaders({ root }, { platform: 'darwin', arch: 'arm64' })).toEqual({});
    expect(linuxFastReaders({ root }, { platform: 'linux', arch: 'arm64' })).toEqual({});
  });
});
