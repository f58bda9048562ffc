/** The wire shape of every HTTP error of the Factory API: `{error: {code, message, request_id}}`. */
import { z } from 'zod';
import { text } from '../text.ts';
import { ErrorCode } from '../errors.ts';

export const errorResponseSchema = z.strictObject({
  error: z.strictObject({
    code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
    message: text(),
    request_id: text().optional(),
  }),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
