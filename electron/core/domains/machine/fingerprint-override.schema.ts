/**
 * The schema of the fingerprint override file (fingerprint-override.ts), in a module of its
 * own: it loads only when `FACTORY_FINGERPRINT_FILE` is set, so reading the hardware loads no
 * zod (docs/CLI.md §Start-up: a command that starts at once).
 */
import { z } from 'zod';
import { COMPONENT_NAMES, type ComponentName } from './components.ts';

const componentValue = z.string().max(1024).nullable().optional();

export const overrideSchema = z.strictObject({
  components: z.strictObject(
    Object.fromEntries(COMPONENT_NAMES.map((name) => [name, componentValue])) as Record<
      ComponentName,
      typeof componentValue
    >,
  ),
});
