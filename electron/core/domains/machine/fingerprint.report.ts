/**
 * What the console shows about the machine's identity (the `fingerprint` CLI, the
 * Machine view): components with serials masked, what is missing and why, binding
 * strength, `hw_hash`, collection time, and a prominent override notice.
 */
import { hardwareHash } from '../../../../shared/node/crypto/hardware-hash.ts';
import { bindingStrength, type BindingReport } from './binding-strength.ts';
import {
  COMPONENT_NAMES,
  HARDWARE_COMPONENTS,
  SERIAL_COMPONENTS,
  type ComponentName,
  type MissingComponent,
} from './components.ts';
import type { Fingerprint } from './fingerprint.collector.ts';
import { loadOrCreateInstallSalt } from './install-salt.ts';

/** Plain JSON, safe to print and to send over IPC: no serial appears in full. */
export interface FingerprintReport {
  components: Array<{ name: ComponentName; value: string; kind: 'hardware' | 'software' }>;
  missing: MissingComponent[];
  binding: BindingReport;
  /** Hex SHA-384 of the full fingerprint with this install's salt (what activation registers). */
  hw_hash: string;
  collection_ms: number;
  /** Path of the override file when the components did not come from the hardware. */
  override: string | null;
  warnings: string[];
}

/** Shows only the last 4 characters of a serial (`****a1b2`); short values are fully masked. */
export function maskSerial(value: string): string {
  return value.length <= 4 ? '****' : `****${value.slice(-4)}`;
}

/** The display form of one component: serials masked, a disk's model kept readable. */
export function displayValue(name: ComponentName, value: string): string {
  if (!SERIAL_COMPONENTS.has(name)) return value;
  if (name === 'disk') {
    const separator = value.lastIndexOf(' | ');
    if (separator >= 0) return `${value.slice(0, separator)} | ${maskSerial(value.slice(separator + 3))}`;
  }
  return maskSerial(value);
}

/** Builds the report of a fingerprint; creates the install salt in `home` on first use. */
export async function describeFingerprint(
  fingerprint: Fingerprint,
  home: string,
): Promise<FingerprintReport> {
  const installSalt = await loadOrCreateInstallSalt(home);
  const present = COMPONENT_NAMES.filter((name) => fingerprint.components[name] !== undefined);
  return {
    components: present.map((name) => ({
      name,
      value: displayValue(name, fingerprint.components[name] ?? ''),
      kind: HARDWARE_COMPONENTS.has(name) ? 'hardware' : 'software',
    })),
    missing: fingerprint.missing,
    binding: bindingStrength(fingerprint.components),
    hw_hash: hardwareHash(fingerprint.components, installSalt).toString('hex'),
    collection_ms: Math.round(fingerprint.elapsedMs * 10) / 10,
    override: fingerprint.override?.path ?? null,
    warnings: fingerprint.warnings,
  };
}

/** The report as text for a terminal. */
export function formatFingerprintReport(report: FingerprintReport): string {
  const width = Math.max(...COMPONENT_NAMES.map((name) => name.length)) + 2;
  const lines: string[] = [];
  if (report.override) {
    lines.push(
      '!'.repeat(72),
      `override: ${report.override}`,
      'The components below come from that file, NOT from this machine.',
      '!'.repeat(72),
      '',
    );
  }
  lines.push('Components');
  for (const component of report.components) {
    lines.push(
      `  ${component.name.padEnd(width)}${component.value}${component.kind === 'software' ? '  (software)' : ''}`,
    );
  }
  if (report.missing.length > 0) {
    lines.push('Missing');
    for (const missing of report.missing) lines.push(`  ${missing.name.padEnd(width)}${missing.reason}`);
  }
  lines.push(
    '',
    `Binding strength  ${report.binding.strength}: ${report.binding.explanation}`,
    `hw_hash           ${report.hw_hash}`,
    `Collected in      ${report.collection_ms} ms`,
  );
  return `${lines.join('\n')}\n`;
}
