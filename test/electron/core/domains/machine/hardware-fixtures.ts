/** Loads the recorded systeminformation outputs under test/fixtures/hardware/. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RawHardware } from '../../../../../electron/core/domains/machine/hardware-sources.ts';

export const FIXTURE_NAMES = ['desktop-nvidia', 'laptop', 'linux-vm', 'container'] as const;
export type FixtureName = (typeof FIXTURE_NAMES)[number];

export function loadFixture(name: FixtureName): RawHardware {
  const url = new URL(`../../../../fixtures/hardware/${name}.json`, import.meta.url);
  const json = JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as RawHardware;
  return { sources: json.sources, failures: json.failures };
}
