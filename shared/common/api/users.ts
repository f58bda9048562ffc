/** HTTP contract of `/api/v1/users` (admin): accounts and their roles. */
import { z } from 'zod';
import { emailSchema, newPasswordSchema, roleSchema } from './auth.ts';

export const userSchema = z.strictObject({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
  disabled: z.boolean(),
  must_change_password: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type User = z.infer<typeof userSchema>;

export const createUserRequestSchema = z.strictObject({
  email: emailSchema,
  password: newPasswordSchema,
  role: roleSchema,
});
export type CreateUserRequest = z.infer<typeof createUserRequestSchema>;

export const updateUserRequestSchema = z
  .strictObject({
    role: roleSchema.optional(),
    disabled: z.boolean().optional(),
    /** An administrator's reset: the user must change it at next sign-in. */
    password: newPasswordSchema.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'nothing to change');
export type UpdateUserRequest = z.infer<typeof updateUserRequestSchema>;

export const userIdParamsSchema = z.strictObject({ id: z.string().min(1).max(64) });

export const userListSchema = z.strictObject({ users: z.array(userSchema) });
