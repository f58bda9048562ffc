/** HTTP contract of `/api/v1/api-keys`: scoped keys for services (`X-API-Key`). */
import { z } from 'zod';
import { text } from '../text.ts';
import { PERMISSIONS, type Permission } from '../roles.ts';

export const permissionSchema = z.enum(PERMISSIONS as [Permission, ...Permission[]]);

export const createApiKeyRequestSchema = z.strictObject({
  name: text().trim().min(1).max(100),
  scopes: z.array(permissionSchema).min(1).max(PERMISSIONS.length),
  /** Days until the key stops working; omitted = 90 (every key expires, at most the server's maximum). */
  expires_in_days: z.number().int().min(1).max(3650).optional(),
});
export type CreateApiKeyRequest = z.infer<typeof createApiKeyRequestSchema>;

/** `POST /api/v1/api-keys/{id}/rotate`: a new secret (and lifetime) for one of the caller's keys. */
export const rotateApiKeyRequestSchema = z.strictObject({
  /** Days from now until the new secret stops working; omitted = 90. */
  expires_in_days: z.number().int().min(1).max(3650).optional(),
});
export type RotateApiKeyRequest = z.infer<typeof rotateApiKeyRequestSchema>;

export const apiKeySchema = z.strictObject({
  id: text(),
  name: text(),
  /** The key's public prefix, so an operator can tell keys apart; never the secret. */
  prefix: text(),
  scopes: z.array(permissionSchema),
  owner_id: text(),
  created_at: text(),
  expires_at: text().nullable(),
  last_used_at: text().nullable(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

/** The one response that carries the secret: shown once, stored only as a hash. */
export const createdApiKeySchema = apiKeySchema.extend({ key: text() });
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;

export const apiKeyListSchema = z.strictObject({ api_keys: z.array(apiKeySchema) });
