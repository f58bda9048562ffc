/**
 * Pure normalisation of raw systeminformation output into fingerprint components
 * (docs/OPERATOR.md §Machine identity): trim, case-fold, collapse spaces, drop vendor placeholders,
 * sort lists. The same machine must give the same strings on every run, whatever
 * order the tools list devices in.
 */
import { COMPONENT_NAMES, type ComponentName, type Components, type MissingComponent } from './components.ts';
import type { RawHardware, SourceName, SourceResults } from './hardware-sources.ts';

/** Values firmware and drivers put where a real identifier is missing (compared after folding). */
const PLACEHOLDERS = new Set([
  '',
  '-',
  '.',
  '0',
  'none',
  'null',
  'n/a',
  'na',
  'unknown',
  'invalid',
  'default',
  'default string',
  'empty',
  'oem',
  'o.e.m.',
  'to be filled by o.e.m.',
  'to be filled by oem',
  'not specified',
  'not applicable',
  'not available',
  'not present',
  'system serial number',
  'system product name',
  'base board serial number',
  'chassis serial number',
  'serial number',
  'serialnumber',
  '0123456789',
  '123456789',
  '1234567890',
  // A UUID that many boards ship with unprogrammed (SMBIOS byte-order test pattern).
  '03000200-0400-0500-0006-000700080009',
]);

/** Trim, Unicode-fold (NFKC + lower case), drop ™/® marks, collapse white space. */
export function foldText(value: unknown): string {
  if (typeof value !== 'string') return '';
  return value
    .replace(/\((?:r|tm|c)\)|[™®©]/giu, ' ')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{Cc}]+/gu, ' ')
    .trim();
}

/**
 * A folded identifier, or '' when it is a placeholder: an entry of PLACEHOLDERS, or
 * one repeated character (all zeros, all F, all X) once separators are removed.
 */
export function identifier(value: unknown): string {
  const folded = foldText(value);
  if (PLACEHOLDERS.has(folded)) return '';
  const compact = folded.replace(/[\s\-_:.]/gu, '');
  if (compact.length === 0 || /^(.)\1*$/u.test(compact)) return '';
  return folded;
}

/** CPU: vendor and model name, and the logical core count (`amd epyc / 2 cores`). */
function cpuComponent(cpu: SourceResults['cpu']): string {
  const vendor = foldText(cpu.manufacturer);
  const brand = foldText(cpu.brand)
    // The clock in the brand string varies with firmware settings, not with the part.
    .replace(/\s*(?:cpu\s*)?@\s*[\d.]+\s*[gm]hz$/u, '')
    .trim();
  if (!identifier(brand)) return '';
  // Some platforms repeat the vendor in the brand ("Intel(R) Core(TM) i7"): say it once.
  const name = vendor && !brand.startsWith(vendor) ? `${vendor} ${brand}` : brand;
  const cores = Number.isSafeInteger(cpu.cores) && cpu.cores > 0 ? ` / ${cpu.cores} cores` : '';
  return `${name}${cores}`;
}

/**
 * Emulated and software display adapters: every VM of a kind has the same one, so
 * they are not evidence of this machine's hardware.
 */
const VIRTUAL_GPU =
  /\b(?:svga|qxl|virtio|bochs|cirrus|gd 5446|vboxvga|vboxsvga|virtualbox|vmware|hyper-v|basic display|basic render|remote display|llvmpipe|softpipe|parallels display|xen)\b/u;

/** A GPU model, or '' for a placeholder or an emulated adapter. */
function gpuModel(value: unknown): string {
  const model = identifier(value);
  return model && !VIRTUAL_GPU.test(model) ? model : '';
}

/** GPU: the sorted models of all physical controllers, so device order does not matter. */
function gpuComponent(graphics: SourceResults['graphics']): string {
  const controllers = Array.isArray(graphics.controllers) ? graphics.controllers : [];
  const models = controllers
    .map((controller) => gpuModel(controller.model || controller.name))
    .filter(Boolean);
  return models.sort().join(', ');
}

/**
 * Memory: total in GiB, rounded. The exact byte count moves by a few MiB between
 * kernels and firmware versions (reserved regions); the installed size does not.
 */
function memoryComponent(mem: SourceResults['mem']): string {
  const gib = mem.total / 2 ** 30;
  return Number.isFinite(gib) && gib >= 0.5 ? `${Math.round(gib)} gib` : '';
}

/** Name of the block device the OS booted from (mounted at `/` or `C:`). */
function bootDeviceName(devices: SourceResults['blockDevices']): string | undefined {
  const root = devices.find((device) => device.mount === '/' || /^[a-z]:\\?$/iu.test(device.mount ?? ''));
  return root?.name;
}

/** Locale-independent natural order (`sda` < `sdb`, `PHYSICALDRIVE2` < `PHYSICALDRIVE10`). */
const byName = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

/**
 * Disk: model and serial of the boot disk (the disk whose name prefixes the root
 * partition's, e.g. `nvme0n1` for `nvme0n1p2`), else — root on LVM or LUKS, or on
 * Windows where `C:` names no drive — the first fixed disk by name that reports a
 * serial. USB and removable disks never count. Without a serial the disk is absent:
 * a model alone identifies nothing. Candidates are sorted, so the tools' listing
 * order never changes the choice.
 */
function diskComponent(
  layout: SourceResults['diskLayout'] | undefined,
  blocks: SourceResults['blockDevices'] | undefined,
): string {
  const candidates: Array<{ rank: number; name: string; model: string; serial: string }> = [];
  for (const disk of Array.isArray(layout) ? layout : []) {
    if (/usb/iu.test(String(disk.interfaceType ?? ''))) continue;
    const name = String(disk.device ?? '').replace(/^\/dev\//u, '');
    candidates.push({ rank: 0, name, model: disk.name, serial: disk.serialNum });
  }
  const blockList = Array.isArray(blocks) ? blocks : [];
  for (const block of blockList) {
    if (block.type !== 'disk' || block.removable || /usb/iu.test(String(block.protocol ?? ''))) continue;
    candidates.push({ rank: 1, name: String(block.name ?? ''), model: block.model, serial: block.serial });
  }
  const withSerial = candidates
    .filter((disk) => identifier(disk.serial) !== '')
    .sort((a, b) => a.rank - b.rank || byName.compare(a.name, b.name) || byName.compare(a.serial, b.serial));
  const boot = bootDeviceName(blockList);
  // Longest matching name first: `sda` must not claim `sdab1`'s partition over `sdab`.
  const bootDisk = boot
    ? withSerial
        .filter((disk) => disk.name !== '' && boot.startsWith(disk.name))
        .sort((a, b) => b.name.length - a.name.length)[0]
    : undefined;
  const chosen = bootDisk ?? withSerial[0];
  if (!chosen) return '';
  const model = identifier(chosen.model);
  return model ? `${model} | ${identifier(chosen.serial)}` : identifier(chosen.serial);
}

type Extractor = (sources: RawHardware['sources']) => string;

/** For each component: the sources it needs, how to read it, and why it may be missing. */
const EXTRACTORS: Record<ComponentName, { needs: SourceName[]; read: Extractor; whenEmpty: string }> = {
  cpu: {
    needs: ['cpu'],
    read: (s) => (s.cpu ? cpuComponent(s.cpu) : ''),
    whenEmpty: 'no CPU model reported',
  },
  gpu: {
    needs: ['graphics'],
    read: (s) => (s.graphics ? gpuComponent(s.graphics) : ''),
    whenEmpty: 'no GPU reported (virtual machine, container, or no graphics driver)',
  },
  memory: {
    needs: ['mem'],
    read: (s) => (s.mem ? memoryComponent(s.mem) : ''),
    whenEmpty: 'no memory size reported',
  },
  disk: {
    needs: ['diskLayout', 'blockDevices'],
    read: (s) => diskComponent(s.diskLayout, s.blockDevices),
    whenEmpty: 'no disk serial readable (virtual disk, or needs root on Linux)',
  },
  system_uuid: {
    needs: ['system', 'uuid'],
    read: (s) => identifier(s.system?.uuid) || identifier(s.uuid?.hardware),
    whenEmpty: 'no system UUID readable (placeholder or empty; on Linux needs root)',
  },
  baseboard_serial: {
    needs: ['baseboard'],
    read: (s) => identifier(s.baseboard?.serial),
    whenEmpty: 'no baseboard serial readable (placeholder or empty; on Linux needs root)',
  },
  machine_id: {
    needs: ['uuid'],
    read: (s) => identifier(s.uuid?.os),
    whenEmpty: 'no OS machine id (/etc/machine-id, MachineGuid, IOPlatformUUID)',
  },
};

/** An extractor's value, or '' when malformed tool output made it throw. */
function readSafely(read: Extractor, sources: RawHardware['sources']): string {
  try {
    return read(sources);
  } catch {
    return '';
  }
}

/**
 * Components and missing components from one collection. Pure and total: garbage in
 * gives absent components with a reason, never an exception.
 */
export function normaliseHardware(raw: RawHardware): { components: Components; missing: MissingComponent[] } {
  const components: Components = {};
  const missing: MissingComponent[] = [];
  for (const name of COMPONENT_NAMES) {
    const extractor = EXTRACTORS[name];
    const value = readSafely(extractor.read, raw.sources);
    if (value) {
      components[name] = value;
      continue;
    }
    const failed = extractor.needs
      .filter((source) => raw.failures[source] !== undefined)
      .map((source) => `${source}: ${raw.failures[source]}`);
    missing.push({
      name,
      reason: failed.length > 0 ? failed.join('; ') : extractor.whenEmpty,
      failed: failed.length > 0,
    });
  }
  return { components, missing };
}

/** Normalises a component value given directly (the override file): same folding as collected values. */
export function normaliseComponentValue(name: ComponentName, value: string): string {
  if (name === 'gpu') {
    return value
      .split(',')
      .map((model) => gpuModel(model))
      .filter(Boolean)
      .sort()
      .join(', ');
  }
  return name === 'cpu' || name === 'memory' || name === 'disk' ? foldText(value) : identifier(value);
}
