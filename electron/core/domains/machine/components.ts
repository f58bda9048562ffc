/**
 * The components of the machine fingerprint (docs/OPERATOR.md §Machine identity) and what kind of
 * evidence each one is. Shared vocabulary of the collector, the normaliser, the
 * binding strength and the machine key file.
 */

/** Every component the console knows, in display order. */
export const COMPONENT_NAMES = [
  'cpu',
  'gpu',
  'memory',
  'disk',
  'system_uuid',
  'baseboard_serial',
  'machine_id',
] as const;

export type ComponentName = (typeof COMPONENT_NAMES)[number];

/** Normalised values of the components that were found; an absent component is not a key. */
export type Components = Partial<Record<ComponentName, string>>;

/** A component that was not found, with the reason an operator can act on. */
export interface MissingComponent {
  name: ComponentName;
  reason: string;
  /**
   * True when a source it needs failed or timed out this time (it may be there on
   * the next run), false when the machine simply does not report it.
   */
  failed: boolean;
}

/**
 * Components read from the hardware (firmware tables, devices). `machine_id` is a
 * software identifier: it is written at OS install and copied with a cloned image.
 */
export const HARDWARE_COMPONENTS: ReadonlySet<ComponentName> = new Set([
  'cpu',
  'gpu',
  'memory',
  'disk',
  'system_uuid',
  'baseboard_serial',
]);

/**
 * Components that identify one unit rather than a model. They are shown masked
 * (last 4 characters) and never logged: hardware serials are secrets (docs/SECURITY.md).
 */
export const SERIAL_COMPONENTS: ReadonlySet<ComponentName> = new Set([
  'disk',
  'system_uuid',
  'baseboard_serial',
  'machine_id',
]);

/** Narrows untrusted input (a file, an IPC payload) to a component name. */
export function isComponentName(value: string): value is ComponentName {
  return (COMPONENT_NAMES as readonly string[]).includes(value);
}
