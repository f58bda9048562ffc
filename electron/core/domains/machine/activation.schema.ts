/**
 * The schema of `activation.json` (activation.store.ts), in a module of its own: the store
 * loads it only when there is a record to check or write, so that `status` on a console that
 * is not activated loads no schema at all (docs/CLI.md §Start-up: a command that starts at once).
 */
import { z } from 'zod';
import { machineIdSchema, signedLeaseSchema } from '../../../../shared/common/api/resources.ts';

export const activationSchema = z.strictObject({
  format: z.literal('factory-console/activation/v1'),
  server_url: z.string().url(),
  /** Null for a plain-http server (development only). */
  certificate: z.strictObject({ fingerprint256: z.string(), pem: z.string() }).nullable(),
  /** The server's Ed25519 public key (base64): manifests and leases must verify under it. */
  server_key: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
  key_id: z.string(),
  email: z.string(),
  label: z.string(),
  machine_id: machineIdSchema,
  activated_at: z.string(),
  lease: signedLeaseSchema,
  /**
   * The machine key's seal over the pins offline checks rest on (activation-seal.ts). Absent in
   * activations made before seals: offline opening waits for one online unlock to add it.
   */
  seal: z.string().optional(),
});
