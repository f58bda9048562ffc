/** HTTP contract of `/api/v1/api-keys`: scoped keys for services (`X-API-Key`). */
import { z } from 'zod';
import { PERMISSIONS, type Permission } from '../roles.ts';

export const permissionSchema = z.enum(PERMISSIONS as [Permission, ...Permission[]]);

export const createApiKeyRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(permissionSchema).min(1).max(PERMISSIONS.length),
  /** Days until the key stops working; omitted = no expiry. */
  expires_in_days: z.number().int().min(1).max(3650).optional(),
});
export type CreateApiKeyRequest = z.infer<typeof createApiKeyRequestSchema>;

export const apiKeySchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  /** The key's public prefix, so an operator can tell keys apart; never the secret. */
  prefix: z.string(),
  scopes: z.array(permissionSchema),
  owner_id: z.string(),
  created_at: z.string(),
  expires_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

/** The one response that carries the secret: shown once, stored only as a hash. */
export const createdApiKeySchema = apiKeySchema.extend({ key: z.string() });
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;

export const apiKeyListSchema = z.strictObject({ api_keys: z.array(apiKeySchema) });
