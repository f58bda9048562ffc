/**
 * The record of `vault/clock.json` (offline-clock.ts), in a module of its own so that reading
 * the unverified time for `status` loads no zod (docs/CLI.md §Start-up: a command that starts at once).
 */
import { z } from 'zod';

export const clockSchema = z.strictObject({ last_seen: z.string(), seal: z.string().optional() });
