/**
 * The raw systeminformation calls the fingerprint is built from. Recorded fixtures
 * (test/fixtures/hardware/*.json) hold exactly these shapes, so the normaliser is
 * tested on what real machines return.
 */
import type * as SystemInformationModule from 'systeminformation';
import type { Systeminformation } from 'systeminformation';

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

/** What each source returns (the systeminformation types). */
export interface SourceResults {
  cpu: Systeminformation.CpuData;
  graphics: Systeminformation.GraphicsData;
  mem: Systeminformation.MemData;
  diskLayout: Systeminformation.DiskLayoutData[];
  blockDevices: Systeminformation.BlockDevicesData[];
  system: Systeminformation.SystemData;
  baseboard: Systeminformation.BaseboardData;
  uuid: Systeminformation.UuidData;
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
 * The real collectors. systeminformation is loaded on first use so that importing
 * this module (e.g. for the CLI's help) costs nothing.
 */
export const systeminformationSources: SourceCollectors = {
  cpu: async () => (await loadSi()).cpu(),
  graphics: async () => (await loadSi()).graphics(),
  mem: async () => (await loadSi()).mem(),
  diskLayout: async () => (await loadSi()).diskLayout(),
  blockDevices: async () => (await loadSi()).blockDevices(),
  system: async () => (await loadSi()).system(),
  baseboard: async () => (await loadSi()).baseboard(),
  uuid: async () => (await loadSi()).uuid(),
};

/** systeminformation is CommonJS: under Node's ESM loader its API is the default export. */
type SystemInformation = typeof SystemInformationModule.default;

let siModule: Promise<SystemInformation> | undefined;

function loadSi(): Promise<SystemInformation> {
  siModule ??= import('systeminformation').then((module) => module.default);
  return siModule;
}
