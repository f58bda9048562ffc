/**
 * Reading a JSON state file against its schema (activation record, vault records, the
 * machine key file). Callers decide what each outcome means — a missing activation is
 * "not activated", a damaged key file names what is wrong — so this reports which it
 * was and throws only for I/O errors other than a missing file.
 */
import fs from 'node:fs/promises';
import type { z } from 'zod';

export type JsonFileRead<T> =
  | { state: 'missing' }
  | { state: 'too_large' }
  | { state: 'not_json' }
  | { state: 'invalid'; problem: string }
  | { state: 'ok'; value: T };

/**
 * Reads `file` and checks it against `schema`, or against the schema `schema()` loads: a
 * loader runs only once there is JSON to check, so a caller whose file is usually missing
 * need not load its schema (and zod) at all.
 */
export async function readJsonFile<T>(
  file: string,
  schema: z.ZodType<T> | (() => Promise<z.ZodType<T>>),
  options: { maxBytes?: number } = {},
): Promise<JsonFileRead<T>> {
  let text: string;
  try {
    if (options.maxBytes !== undefined && (await fs.stat(file)).size > options.maxBytes)
      return { state: 'too_large' };
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { state: 'not_json' };
  }
  const parsed = (typeof schema === 'function' ? await schema() : schema).safeParse(json);
  if (parsed.success) return { state: 'ok', value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return { state: 'invalid', problem: `${where}${issue?.message ?? 'invalid'}` };
}
