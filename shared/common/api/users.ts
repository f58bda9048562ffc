/** HTTP contract of `/api/v1/users` (admin): accounts and their roles. */
import { z } from 'zod';
import { text } from '../text.ts';
import { emailSchema, newPasswordSchema, roleSchema } from './auth.ts';

export const userSchema = z.strictObject({
  id: text(),
  email: text(),
  role: roleSchema,
  disabled: z.boolean(),
  must_change_password: z.boolean(),
  created_at: text(),
  updated_at: text(),
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

export const userIdParamsSchema = z.strictObject({ id: text().min(1).max(64) });

export const userListSchema = z.strictObject({ users: z.array(userSchema) });
