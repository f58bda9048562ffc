/**
 * The fingerprint's hardware facts on Linux (x64), read from the files systeminformation
 * itself reads — /proc/cpuinfo, /proc/meminfo, the machine-id files, the DMI attributes in
 * sysfs — without loading it and without the shell commands it spawns (docs/OPERATOR.md
 * §Reading the hardware on Linux). Each reader computes exactly the fields the normaliser
 * reads (FINGERPRINT_FIELDS), the way systeminformation 5 computes them (its Linux branches
 * of `cpu`, `mem`, `system`, `baseboard`, `uuid` and `graphics`), or returns undefined when
 * it cannot be sure to give the same answer: then the collector asks systeminformation for
 * that source, as before. A changed value would change `hw_hash` and lock existing
 * activations out, so "unsure" always means "ask systeminformation":
 * - `cpu`: unsure when the DMI tables are readable (as root, `lscpu` then prints the
 *   firmware's "BIOS Model name", which systeminformation prefers), or when the processors
 *   do not all report one model name;
 * - `system` (UUID) and `baseboard` (serial): as root, systeminformation takes them from
 *   `dmidecode`, which prints what the kernel's DMI attributes hold, except for an empty,
 *   unset or unprintable value (`Not Specified`, `Not Settable`, `<BAD INDEX>`, `.` for a
 *   control character): unsure when dmidecode could read the tables and the attribute is
 *   empty, absent or holds a control character;
 * - `graphics`: systeminformation lists controllers from `lspci` and `clinfo`; with neither
 *   installed its list is empty, otherwise unsure (lspci's names come from its own database);
 * - disks (`diskLayout`, `blockDevices`): systeminformation's two `lsblk` listings, run and
 *   parsed here the same way (linux-disks.ts), without the rest of its work.
 *
 * The parsing steps are adapted from systeminformation 5 (MIT licence, Copyright (c)
 * 2014-2026 Sebastian Hildebrandt), so that both give the same values; its licence is in
 * systeminformation.LICENSE beside this file.
 */
import os from 'node:os';
import path from 'node:path';
import type { SourceName, SourceResults } from './hardware-sources.ts';
import { processEnvironment } from '../../platform/environment.ts';
import { readBlockDevices, readDiskLayout, type RunTool } from './linux-disks.ts';

// Through process.getBuiltinModule, not `import … from 'node:fs'`: the ES module wrapper of
// node:fs reads every export, which loads its streams (some 10 ms of the CLI's start).
const { accessSync, constants, readFileSync, statSync } = process.getBuiltinModule('node:fs');

/** Where and how to read; the defaults are this machine. Tests point `root` at a fake tree. */
export interface LinuxHardwareOptions {
  /** The file system root the readers read under (default `/`). */
  root?: string;
  /** `os.cpus()` (libuv reads /proc/cpuinfo and /proc/stat); systeminformation takes the core count and its fallback model from it. */
  cpus?: () => Array<Pick<os.CpuInfo, 'model'>>;
  /** `os.totalmem()`, systeminformation's fallback when /proc/meminfo has no total. */
  totalmem?: () => number;
  /** Runs `lsblk` for the disk readers (tests give recorded listings). */
  run?: RunTool;
  /** The shell's search path for the tools systeminformation would run (default: this process's `PATH`, which it runs them with). */
  searchPath?: string;
}

/** The fast readers that answer for this platform: none outside Linux on x64. */
export type FastReaders = {
  [K in SourceName]?: () => SourceResults[K] | undefined | Promise<SourceResults[K] | undefined>;
};

/** The readers this module has: the disk ones run lsblk, so they answer asynchronously. */
export type LinuxReaders = {
  [K in Exclude<SourceName, 'diskLayout' | 'blockDevices'>]?: () => SourceResults[K] | undefined;
} & {
  [K in 'diskLayout' | 'blockDevices']?: () => Promise<SourceResults[K] | undefined>;
};

/** Runs a tool as systeminformation's `exec` would (same output limit), without a shell. */
const runTool: RunTool = async (file, args, env) => {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { env, maxBuffer: 1024 * 1024, encoding: 'utf8' }, (error, stdout) => {
      if (error) reject(error);
      else resolve(stdout);
    });
  });
};

/** The folders `/bin/sh` searches besides `PATH` (dash's default path), so a tool is never missed. */
const SHELL_DEFAULT_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * systeminformation's `util.getValue(lines, property)` (lib/util.js) with its default
 * separator: the text after the first `:` of the first line that, lower-cased and without
 * tabs, starts with `property`; '' when none.
 */
export function getValue(lines: readonly string[], property: string): string {
  const wanted = property.toLowerCase();
  for (const line of lines) {
    if (!line.toLowerCase().replace(/\t/g, '').startsWith(wanted)) continue;
    const parts = line.split(':');
    if (parts.length >= 2) return parts.slice(1).join(':').trim();
  }
  return '';
}

/** systeminformation's `cleanDefaults` (lib/system.js): firmware placeholders become ''. */
function cleanDefaults(value: string): string {
  const folded = value.toLowerCase();
  return folded.includes('o.e.m.') || folded.includes('default string') || folded === 'default' ? '' : value;
}

/** systeminformation's `cpuManufacturer` (lib/cpu.js). */
function cpuManufacturer(text: string): string {
  let result = text;
  const folded = text.toLowerCase();
  const names: Array<[string, string]> = [
    ['intel', 'Intel'],
    ['amd', 'AMD'],
    ['qemu', 'QEMU'],
    ['hygon', 'Hygon'],
    ['centaur', 'WinChip/Via'],
    ['vmware', 'VMware'],
  ];
  for (const [needle, name] of names) if (folded.includes(needle)) result = name;
  // systeminformation compares this one against the lower-cased text with a capital X: it never matches.
  if (folded.includes('Xen')) result = 'Xen Hypervisor';
  const more: Array<[string, string]> = [
    ['tcg', 'QEMU'],
    ['apple', 'Apple'],
    ['sifive', 'SiFive'],
    ['thead', 'T-Head'],
    ['andestech', 'Andes Technology'],
  ];
  for (const [needle, name] of more) if (folded.includes(needle)) result = name;
  return result;
}

/** systeminformation's `cpuBrandManufacturer` (lib/cpu.js): ®/™/© marks, no "CPU", the vendor word split off. */
function cpuBrandManufacturer(model: string): { manufacturer: string; brand: string } {
  const brand = model
    .replace(/\(R\)+/g, '®')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\(TM\)+/g, '™')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\(C\)+/g, '©')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/CPU+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return { manufacturer: cpuManufacturer(brand), brand: brand.split(' ').slice(1).join(' ') };
}

/** systeminformation's `util.isRaspberry` (lib/util.js), on /proc/cpuinfo's lines. */
function isRaspberry(cpuinfo: readonly string[]): boolean {
  const models = [
    'BCM2708',
    'BCM2709',
    'BCM2710',
    'BCM2711',
    'BCM2712',
    'BCM2835',
    'BCM2836',
    'BCM2837',
    'BCM2837B0',
  ];
  const hardware = getValue(cpuinfo, 'hardware');
  const model = getValue(cpuinfo, 'model');
  return (hardware !== '' && models.includes(hardware)) || model.includes('Raspberry Pi');
}

/** The readers for this machine (or `options.root`); an empty set off Linux x64. */
export function linuxFastReaders(
  options: LinuxHardwareOptions = {},
  platform: { platform: string; arch: string } = process,
): LinuxReaders {
  if (platform.platform !== 'linux' || platform.arch !== 'x64') return {};
  const root = options.root ?? '/';
  const at = (file: string) => path.join(root, file);
  const cpus = options.cpus ?? (() => os.cpus());
  const totalmem = options.totalmem ?? (() => os.totalmem());

  /** What `cat FILE` prints: the file's text, or undefined when cat would fail. */
  const cat = (file: string): string | undefined => {
    try {
      return readFileSync(at(file), 'utf8');
    } catch {
      return undefined;
    }
  };
  const readable = (file: string): boolean => {
    try {
      accessSync(at(file), constants.R_OK);
      return true;
    } catch {
      return false;
    }
  };
  /** True when a tool of that name is in the shell's search path (any file counts: unsure is safe). */
  const installed = (tool: string): boolean => {
    const dirs = (options.searchPath ?? processEnvironment()['PATH'] ?? '').split(':');
    return [...dirs.map((dir) => dir || '.'), ...SHELL_DEFAULT_PATH].some((dir) => {
      try {
        return statSync(path.join(dir.startsWith('/') ? root : process.cwd(), dir, tool)).isFile();
      } catch {
        return false;
      }
    });
  };
  /** The output of systeminformation's `echo -n "NAME: "; cat DIR/NAME 2>/dev/null; echo;` lines, as lines. */
  const sysfsLines = (dir: string, names: readonly string[]): string[] =>
    names
      .map((name) => `${name}: ${cat(path.join(dir, name)) ?? ''}\n`)
      .join('')
      .split('\n');
  /** dmidecode (which systeminformation runs first, as root) can read the SMBIOS tables. */
  const dmiTablesReadable = () => readable('sys/firmware/dmi/tables/DMI') || readable('dev/mem');
  // Read once per set of readers (one collection): the kernel builds it anew on every read.
  let cpuinfo: string[] | undefined;
  const cpuinfoLines = () => (cpuinfo ??= (cat('proc/cpuinfo') ?? '').split('\n'));
  const dmiDir = 'sys/devices/virtual/dmi/id';

  return {
    cpu() {
      if (dmiTablesReadable()) return undefined;
      const list = cpus();
      // The model `lscpu` prints is the first processor's; the same as libuv's unless they differ.
      const names = cpuinfoLines()
        .filter((line) => /^model name\s*:/.test(line))
        .map((line) => line.slice(line.indexOf(':') + 1).trim());
      const libuvModel = list[0]?.model ?? '';
      // No model name at all: what lscpu prints then is its own affair.
      if (names.length === 0 || new Set(names).size > 1 || names[0] === '' || names[0] !== libuvModel.trim())
        return undefined;
      let brand = libuvModel
        .replace(/To Be Filled By O.E.M./g, '')
        .split('@')[0]!
        .trim();
      if (brand.includes('Unknown')) brand = brand.split('Unknown')[0]!.trim();
      return { ...cpuBrandManufacturer(brand), cores: list.length };
    },
    mem() {
      const meminfo = cat('proc/meminfo');
      if (meminfo === undefined) return { total: totalmem() };
      const kib = parseInt(getValue(meminfo.split('\n'), 'memtotal'), 10);
      return { total: kib ? kib * 1024 : totalmem() };
    },
    uuid() {
      const osId = cat('var/lib/dbus/machine-id') ?? cat('etc/machine-id') ?? '';
      const lines = `os: ${osId}\nhardware: ${cat('sys/class/dmi/id/product_uuid') ?? ''}\n`.split('\n');
      const hardware = getValue(lines, 'hardware').toLowerCase() || getValue(cpuinfoLines(), 'serial');
      return { os: getValue(lines, 'os').toLowerCase(), hardware };
    },
    system() {
      const names = ['product_name', 'product_serial', 'product_uuid', 'product_version', 'sys_vendor'];
      const uuid = cleanDefaults(getValue(sysfsLines(dmiDir, names), 'product_uuid').toLowerCase());
      if (uuid === '' && dmiTablesReadable()) return undefined;
      return { uuid };
    },
    baseboard() {
      if (isRaspberry(cpuinfoLines())) return undefined;
      const names = ['board_asset_tag', 'board_name', 'board_serial', 'board_vendor', 'board_version'];
      const raw = cat(path.join(dmiDir, 'board_serial'));
      const serial = getValue(sysfsLines(dmiDir, names), 'board_serial');
      // eslint-disable-next-line no-control-regex -- dmidecode prints these as '.', the kernel as they are
      const unprintable = /[\x00-\x09\x0b-\x1f\x7f]/.test(raw ?? '') || /\n./s.test(raw ?? '');
      if ((serial === '' || unprintable) && dmiTablesReadable()) return undefined;
      return { serial: cleanDefaults(serial) };
    },
    diskLayout: () => readDiskLayout(options.run ?? runTool, processEnvironment()),
    blockDevices: () => readBlockDevices(options.run ?? runTool, processEnvironment()),
    graphics() {
      if (isRaspberry(cpuinfoLines()) || installed('lspci') || installed('clinfo')) return undefined;
      return { controllers: [] };
    },
  };
}
