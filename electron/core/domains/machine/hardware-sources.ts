/**
 * The raw systeminformation calls the fingerprint is built from, and the collectors that
 * answer them: on Linux x64 mostly the fast readers of linux-hardware.ts, which give the
 * same values without running systeminformation. Recorded fixtures
 * (test/fixtures/hardware/*.json) hold exactly these shapes, so the normaliser is
 * tested on what real machines return.
 */
import type * as SystemInformationModule from 'systeminformation';
import type { Systeminformation } from 'systeminformation';
import { linuxFastReaders, type FastReaders } from './linux-hardware.ts';

/** One systeminformation call per source; each is collected with its own timeout. */
export const SOURCE_NAMES = [
  'cpu',
  'graphics',
  'mem',
  'diskLayout',
  'blockDevices',
  'system',
  'baseboard',
  'uuid',
] as const;

export type SourceName = (typeof SOURCE_NAMES)[number];

/**
 * The fields of each systeminformation result that the fingerprint reads
 * (fingerprint.normalise.ts): the fast Linux readers (linux-hardware.ts) compute exactly
 * these, and the test that compares them with systeminformation compares these.
 */
export const FINGERPRINT_FIELDS = {
  cpu: ['manufacturer', 'brand', 'cores'],
  graphics: ['controllers'],
  mem: ['total'],
  diskLayout: ['device', 'interfaceType', 'name', 'serialNum'],
  blockDevices: ['name', 'type', 'removable', 'protocol', 'model', 'serial', 'mount'],
  system: ['uuid'],
  baseboard: ['serial'],
  uuid: ['os', 'hardware'],
} as const;

/** A graphics controller as the fingerprint reads it: its model (or name). */
export type GraphicsController = Pick<Systeminformation.GraphicsControllerData, 'model' | 'name'>;

/** What each source returns: the systeminformation types, cut to the fields the fingerprint reads. */
export interface SourceResults {
  cpu: Pick<Systeminformation.CpuData, (typeof FINGERPRINT_FIELDS.cpu)[number]>;
  graphics: { controllers: GraphicsController[] };
  mem: Pick<Systeminformation.MemData, (typeof FINGERPRINT_FIELDS.mem)[number]>;
  diskLayout: Array<Pick<Systeminformation.DiskLayoutData, (typeof FINGERPRINT_FIELDS.diskLayout)[number]>>;
  blockDevices: Array<
    Pick<Systeminformation.BlockDevicesData, (typeof FINGERPRINT_FIELDS.blockDevices)[number]>
  >;
  system: Pick<Systeminformation.SystemData, (typeof FINGERPRINT_FIELDS.system)[number]>;
  baseboard: Pick<Systeminformation.BaseboardData, (typeof FINGERPRINT_FIELDS.baseboard)[number]>;
  uuid: Pick<Systeminformation.UuidData, (typeof FINGERPRINT_FIELDS.uuid)[number]>;
}

/**
 * The outcome of one collection: the sources that answered, and for the others why
 * not (timed out, threw). Values are untrusted tool output: the normaliser reads
 * them defensively.
 */
export interface RawHardware {
  sources: { [K in SourceName]?: SourceResults[K] };
  failures: Partial<Record<SourceName, string>>;
}

/** A function that reads one source. */
export type SourceCollectors = { [K in SourceName]: () => Promise<SourceResults[K]> };

/**
 * systeminformation's own collectors, each loaded from the package's module that defines it
 * (lib/cpu.js, lib/filesystem.js …: the same functions its index re-exports), so that a
 * source asked of it does not load the whole package (some thirty modules).
 */
export const systeminformationSources: SourceCollectors = {
  cpu: async () => (await siModule<'cpu'>('cpu')).cpu(),
  graphics: async () => (await siModule<'graphics'>('graphics')).graphics(),
  mem: async () => (await siModule<'mem'>('memory')).mem(),
  diskLayout: async () => (await siModule<'diskLayout'>('filesystem')).diskLayout(),
  blockDevices: async () => (await siModule<'blockDevices'>('filesystem')).blockDevices(),
  system: async () => (await siModule<'system'>('system')).system(),
  baseboard: async () => (await siModule<'baseboard'>('system')).baseboard(),
  uuid: async () => (await siModule<'uuid'>('osinfo')).uuid(),
};

/** systeminformation's API (CommonJS: under Node's ESM loader, the default export). */
type SystemInformation = typeof SystemInformationModule.default;

/**
 * One module of the package (`systeminformation/lib/NAME.js`), typed as the functions of its
 * API that it defines (the package has types for its index only). Loaded with `require`: an
 * ES `import()` of a CommonJS file first scans its source for export names, which for these
 * large files costs more than loading them.
 */
async function siModule<K extends keyof SystemInformation>(
  file: string,
): Promise<Pick<SystemInformation, K>> {
  const { createRequire } = await import('node:module');
  return createRequire(import.meta.url)(`systeminformation/lib/${file}.js`) as Pick<SystemInformation, K>;
}

/**
 * The product's collectors: the fast readers where they answer (on Linux x64; see
 * linux-hardware.ts for when they do not), systeminformation for the rest. A reader that
 * throws counts as "unsure": systeminformation answers.
 */
export function hardwareSources(fast: FastReaders = linuxFastReaders()): SourceCollectors {
  const pick = <K extends SourceName>(name: K) => {
    const read = fast[name] as (() => SourceResults[K] | undefined) | undefined;
    const fallback = systeminformationSources[name] as () => Promise<SourceResults[K]>;
    return async (): Promise<SourceResults[K]> => {
      let value: SourceResults[K] | undefined;
      try {
        value = await read?.();
      } catch {
        value = undefined;
      }
      return value ?? fallback();
    };
  };
  return {
    cpu: pick('cpu'),
    graphics: pick('graphics'),
    mem: pick('mem'),
    diskLayout: pick('diskLayout'),
    blockDevices: pick('blockDevices'),
    system: pick('system'),
    baseboard: pick('baseboard'),
    uuid: pick('uuid'),
  };
}
